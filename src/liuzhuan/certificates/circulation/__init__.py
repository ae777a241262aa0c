"""Circulation (流转): transfer offers of a piece, whole or in part, one or a batch; acceptance
registers the title change (流转变更登记, title.py), which pledge and purchase use too."""
