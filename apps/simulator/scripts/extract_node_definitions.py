#!/usr/bin/env python3
"""Builds /object_info entries for a ComfyUI custom-node pack from its source, without importing it.

The simulator validates graphs against these entries exactly as a real ComfyUI with that pack would
(apps/simulator/data/packs/*.json). Re-run it whenever a pack's pinned commit changes:

    git clone https://github.com/city96/ComfyUI-GGUF /tmp/gguf && git -C /tmp/gguf checkout <commit>
    python3 apps/simulator/scripts/extract_node_definitions.py /tmp/gguf \\
        --pack ComfyUI-GGUF --repository https://github.com/city96/ComfyUI-GGUF \\
        > apps/simulator/data/packs/ComfyUI-GGUF.json

It reads V1 nodes (NODE_CLASS_MAPPINGS + INPUT_TYPES/RETURN_TYPES, as server.py's node_info does) by
evaluating their class bodies' literals with Python's ast module; model-file lists
(folder_paths.get_filename_list) become empty lists, which the simulator fills from its model data.
Nodes it cannot evaluate statically are listed under "skipped" with the reason.
"""
import argparse
import ast
import hashlib
import json
import os
import subprocess
import sys

MAX_RESOLUTION = 16384  # nodes.MAX_RESOLUTION at ComfyUI 0.3.64


class Unsupported(Exception):
    pass


class Evaluator:
    """Evaluates the literal subset node definitions use: containers, constants, comprehensions over
    model-file lists, names assigned earlier in the same function or module."""

    def __init__(self, module_names):
        self.module_names = module_names

    def value(self, node, scope):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.Tuple, ast.List)):
            return [self.value(e, scope) for e in node.elts]
        if isinstance(node, ast.Dict):
            out = {}
            for k, v in zip(node.keys, node.values):
                if k is None:
                    out.update(self.value(v, scope))
                else:
                    out[self.value(k, scope)] = self.value(v, scope)
            return out
        if isinstance(node, ast.Name):
            if node.id in scope:
                return scope[node.id]
            if node.id in self.module_names:
                return self.module_names[node.id]
            if node.id == "MAX_RESOLUTION":
                return MAX_RESOLUTION
            if node.id in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[node.id]
            raise Unsupported("unknown name %s" % node.id)
        if isinstance(node, ast.Attribute):
            if node.attr == "MAX_RESOLUTION":
                return MAX_RESOLUTION
            raise Unsupported("attribute %s" % ast.unparse(node))
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name.endswith("get_filename_list"):
                return []  # a model folder's files: filled per backend
            raise Unsupported("call %s" % name)
        if isinstance(node, ast.ListComp) and len(node.generators) == 1:
            gen = node.generators[0]
            items = self.value(gen.iter, scope)
            if not isinstance(gen.target, ast.Name) or gen.ifs:
                raise Unsupported("comprehension %s" % ast.unparse(node))
            return [self.value(node.elt, {**scope, gen.target.id: item}) for item in items]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self.value(node.operand, scope)
        if isinstance(node, ast.BinOp):
            left, right = self.value(node.left, scope), self.value(node.right, scope)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Mult):
                return left * right
        raise Unsupported("expression %s" % ast.unparse(node))

    def function_return(self, fn):
        """The value a function returns, after its simple assignments (`x = …`)."""
        scope = {}
        for stmt in fn.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                scope[stmt.targets[0].id] = self.value(stmt.value, scope)
            elif isinstance(stmt, ast.Return):
                return self.value(stmt.value, scope)
            elif isinstance(stmt, (ast.Expr, ast.Pass)):
                continue
            else:
                raise Unsupported("statement %s in %s" % (type(stmt).__name__, fn.name))
        raise Unsupported("%s returns nothing" % fn.name)


def python_files(root):
    for base, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("tests", "test", "__pycache__"))
        for f in sorted(files):
            if f.endswith(".py") and not f.startswith("test_"):
                yield os.path.join(base, f)


def parse_sources(root):
    modules = {}
    for path in python_files(root):
        with open(path, encoding="utf-8") as fh:
            try:
                modules[os.path.relpath(path, root)] = ast.parse(fh.read(), filename=path)
            except SyntaxError as err:
                print("warning: %s does not parse: %s" % (path, err), file=sys.stderr)
    return modules


def module_constants(tree, evaluator):
    out = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            try:
                out[stmt.targets[0].id] = evaluator.value(stmt.value, {})
            except Unsupported:
                pass
    return out


def mappings(modules, name):
    """NODE_CLASS_MAPPINGS / NODE_DISPLAY_NAME_MAPPINGS literals: key → class name (or display string)."""
    found = {}
    title_from_class = False
    for tree in modules.values():
        for stmt in ast.walk(tree):
            if not (isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)):
                continue
            if isinstance(stmt.value, ast.Dict):
                for k, v in zip(stmt.value.keys, stmt.value.values):
                    if isinstance(k, ast.Constant):
                        found[k.value] = v.id if isinstance(v, ast.Name) else (v.value if isinstance(v, ast.Constant) else None)
            elif isinstance(stmt.value, ast.DictComp) and "TITLE" in ast.unparse(stmt.value.value):
                title_from_class = True  # e.g. {k: v.TITLE for k, v in NODE_CLASS_MAPPINGS.items()}
    return found, title_from_class


def class_defs(modules):
    out = {}
    for tree in modules.values():
        for stmt in tree.body:
            if isinstance(stmt, ast.ClassDef):
                out[stmt.name] = (stmt, tree)
    return out


def class_member(classes, cls_name, member, seen=None):
    """A class attribute or method, looked up through base classes defined in the pack."""
    seen = seen or set()
    if cls_name in seen or cls_name not in classes:
        return None
    seen.add(cls_name)
    cls, tree = classes[cls_name]
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == member for t in stmt.targets):
            return ("value", stmt.value, tree)
        if isinstance(stmt, ast.FunctionDef) and stmt.name == member:
            return ("function", stmt, tree)
    for base in cls.bases:
        if isinstance(base, ast.Name):
            hit = class_member(classes, base.id, member, seen)
            if hit:
                return hit
    return None


def node_info(key, cls_name, classes, display, title_from_class, module):
    def read(member, default=None):
        hit = class_member(classes, cls_name, member)
        if not hit:
            return default
        kind, node, tree = hit
        ev = Evaluator(module_constants(tree, Evaluator({})))
        return ev.function_return(node) if kind == "function" else ev.value(node, {})

    if class_member(classes, cls_name, "define_schema"):
        raise Unsupported("a V3 (io.ComfyNode) node; extend this script to read io.Schema")
    inputs = read("INPUT_TYPES")
    if not isinstance(inputs, dict):
        raise Unsupported("INPUT_TYPES is not a dict")
    returns = read("RETURN_TYPES", [])
    info = {
        "input": inputs,
        "input_order": {section: list(values.keys()) for section, values in inputs.items()},
        "output": returns,
        "output_is_list": read("OUTPUT_IS_LIST", [False] * len(returns)),
        "output_name": read("RETURN_NAMES", returns),
        "name": key,
        "display_name": display.get(key) or (read("TITLE") if title_from_class else None) or key,
        "description": read("DESCRIPTION", ""),
        "python_module": "custom_nodes.%s" % module,
        "category": read("CATEGORY", "sd"),
        "output_node": read("OUTPUT_NODE", False) is True,
    }
    return info


def git_commit(path):
    try:
        return subprocess.check_output(["git", "-C", path, "rev-parse", "HEAD"], stderr=subprocess.DEVNULL).decode().strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def source_digest(modules, root):
    h = hashlib.sha256()
    for rel in sorted(modules):
        with open(os.path.join(root, rel), "rb") as fh:
            h.update(rel.encode() + b"\0" + fh.read() + b"\0")
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkout", help="the pack's source folder (a git checkout at the pinned commit)")
    ap.add_argument("--pack", required=True, help="pack name as the workflows manifest spells it")
    ap.add_argument("--repository", help="where the source is published (omit for a pack bundled with MediaGen)")
    ap.add_argument("--commit", help="the commit the checkout is at (default: git rev-parse HEAD)")
    ap.add_argument("--module", help="folder name under custom_nodes/ (default: the checkout's folder name)")
    ap.add_argument("--only", help="comma-separated node classes to keep (default: every node)")
    args = ap.parse_args()

    root = os.path.abspath(args.checkout)
    modules = parse_sources(root)
    classes = class_defs(modules)
    node_map, _ = mappings(modules, "NODE_CLASS_MAPPINGS")
    display, title_from_class = mappings(modules, "NODE_DISPLAY_NAME_MAPPINGS")
    only = set(args.only.split(",")) if args.only else None
    nodes, skipped = {}, {}
    for key in sorted(node_map):
        if only and key not in only:
            continue
        try:
            if node_map[key] not in classes:
                raise Unsupported("class %s is not defined in the pack" % node_map[key])
            nodes[key] = node_info(key, node_map[key], classes, display, title_from_class,
                                   args.module or os.path.basename(root.rstrip("/")))
        except Unsupported as err:
            skipped[key] = str(err)
    out = {
        "pack": args.pack,
        "repository": args.repository,
        # a bundled pack (no repository) is identified by source_sha256; the repository's own commit would mislead
        "commit": args.commit or (git_commit(root) if args.repository else None),
        "source_sha256": source_digest(modules, root),
        "generated_by": "apps/simulator/scripts/extract_node_definitions.py",
        "nodes": nodes,
        "skipped": skipped,
    }
    json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
