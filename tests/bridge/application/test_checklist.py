"""create_checklist / file_checklist / acknowledge_checklist: materials list and process filed
with the bureau (第九条); new applications use the latest filed version."""

import pytest

from liuzhuan.bridge.application import actions
from liuzhuan.bridge.models.application import ChecklistVersion
from liuzhuan.core.errors import DomainError, PermissionDenied

from ..conftest import material_files, submitted


def test_new_version_used_only_once_filed(bw):
    v2 = actions.create_checklist(bw.manager, items=["申请书", "营业执照", "完税证明"], process="新流程")
    assert v2.version == 2 and not v2.is_filed
    assert submitted(bw).checklist.version == 1
    actions.file_checklist(bw.manager, v2.pk)
    app = submitted(bw, original_contract_no="C-2", materials={"m1": "a", "m2": "b", "m3": "c"},
                    files=material_files("C-2", ("m1", "m2", "m3")))
    assert app.checklist.version == 2 and app.checks.filter(kind="material").count() == 3
    actions.acknowledge_checklist(bw.bureau, v2.pk)
    assert ChecklistVersion.objects.get(pk=v2.pk).acknowledged_by == bw.bureau


def test_missing_material_named_in_error(bw):
    with pytest.raises(DomainError) as exc:
        submitted(bw, files=material_files("x", ("m1",)))
    assert exc.value.field == "materials.m2" and "营业执照" in exc.value.message


def test_bad_input(bw):
    for items, code in [([], "items_required"), (["a", "a"], "duplicate_items"), (["x"] * 31, "too_many_items")]:
        with pytest.raises(DomainError) as exc:
            actions.create_checklist(bw.manager, items=items, process="p")
        assert exc.value.code == code
    with pytest.raises(DomainError) as exc:
        actions.create_checklist(bw.manager, items=["a"], process="")
    assert exc.value.field == "process"
    with pytest.raises(DomainError):
        actions.file_checklist(bw.manager, bw.checklist.pk)  # already filed
    v = actions.create_checklist(bw.manager, items=["a"], process="p")
    with pytest.raises(DomainError):
        actions.acknowledge_checklist(bw.bureau, v.pk)  # not filed yet


def test_rejects_other_org(bw):
    for user in (bw.clerk, bw.other_fm, bw.bureau):
        with pytest.raises(PermissionDenied):
            actions.create_checklist(user, items=["a"], process="p")
    v = actions.create_checklist(bw.manager, items=["a"], process="p")
    with pytest.raises(PermissionDenied):
        actions.file_checklist(bw.other_fm, v.pk)
    actions.file_checklist(bw.manager, v.pk)
    for user in (bw.manager, bw.other_bureau):
        with pytest.raises(PermissionDenied):
            actions.acknowledge_checklist(user, v.pk)
