"""Editors for the changes councils make most, for policy officers who never see YAML.

Each editor reads one thing of a policy or form file (a trigger, the chair table, a deadline,
a gate, the intervention menu, a form's questions) into plain values, and writes changed
values back through hearth.engine.editing.yaml_text, which changes only the lines concerned
and keeps every comment, `source` line and the order. What an editor cannot express it
names (``unexpressed``) and leaves untouched, for the YAML editor.
"""
