"""Real English technical text that ships on this machine, as plain-text documents.

Used by benchmarks/realtext_corpus.py. Nothing here is synthetic: every document is text a person
wrote and a package shipped.
- man pages (/usr/share/man/man1-8, English only), roff rendered to text by a small converter;
- GNU info manuals (/usr/share/info), one document per node;
- package documentation (/usr/share/doc: README, NEWS, *.txt, *.md, *.rst), long files cut at
  paragraph boundaries into pages of a few KB;
- Python API documentation: module, class (with its methods) and function docstrings of the
  standard library and the packages of the running interpreter, read with ``ast`` (no import);
- Markdown / reStructuredText files shipped inside those packages.
Each document is (source, name, text).
"""

from __future__ import annotations

import ast
import gzip
import re
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

MIN_CHARS, MAX_CHARS, PAGE_CHARS = 600, 24_000, 6_000

_ROFF_ESCAPES = {
    "em": "—", "en": "–", "bu": "•", "aq": "'", "lq": '"', "rq": '"', "oq": "'", "cq": "'", "dq": '"',
    "hy": "-", "mi": "-", "pl": "+", "co": "©", "rg": "®", "tm": "™", "mu": "×", "di": "÷", "de": "°",
    "ga": "`", "ha": "^", "ti": "~", "ba": "|", "rs": "\\", "dg": "†", "sc": "§", "<=": "≤", ">=": "≥",
    "->": "→", "<-": "←", "!=": "≠", "+-": "±", "Fo": "«", "Fc": "»", "lB": "[", "rB": "]", "lC": "{", "rC": "}",
}
_SKIP_MACROS = {"nf", "fi", "RS", "RE", "in", "ti", "ad", "na", "hy", "nh", "ne", "ds", "so", "ta", "ft", "ps",
                "vs", "ll", "ns", "rs", "ce", "nr", "if", "ie", "el", "tr", "cs", "bp", "UC", "DT", "PD", "TE",
                "TS", "T&", "EE", "EX", "ME", "UE", "MT", "UR", "OP", "SY", "YS", "Sh", "Dd", "Dt", "Os", "mso",
                "ig", "rm", "am", "ev", "hw", "lf", "pc", "ss", "fc", "lt", "pl", "wh", "ch", "it", "em", "ul",
                "cu", "uf", "cc", "c2", "eo", "ec", "pn", "tl", "mk", "rt", "ls", "fl", "po", "pm", "fam"}


def _roff_inline(text: str) -> str:
    text = re.sub(r"\\f(?:\[[^\]]*\]|\(..|.)", "", text)  # font changes
    text = re.sub(r"\\s[+-]?\d", "", text)
    text = re.sub(r"\\\*(?:\[[^\]]*\]|\(..|.)", "", text)  # predefined strings
    text = re.sub(r"\\\((..)", lambda m: _ROFF_ESCAPES.get(m.group(1), ""), text)
    text = re.sub(r"\\\[([^\]]*)\]", lambda m: _ROFF_ESCAPES.get(m.group(1), ""), text)
    text = re.sub(r"\\[nwhvkoz]\S*?'[^']*'|\\[nk]\S", "", text)
    for escape, value in (("\\-", "-"), ("\\e", "\\"), ("\\&", ""), ("\\ ", " "), ("\\|", ""), ("\\^", ""),
                          ("\\c", ""), ("\\%", ""), ("\\:", ""), ("\\~", " "), ("\\0", " "), ("\\.", "."),
                          ("\\'", "'"), ("\\`", "`"), ('\\"', "")):
        text = text.replace(escape, value)
    return text.replace("\\", "")


def _roff_args(rest: str) -> str:
    parts = re.findall(r'"([^"]*)"|(\S+)', rest)
    return "".join(a or b for a, b in parts) if rest.strip() else ""


def roff_to_text(source: str) -> str:
    """A man page's roff source as readable text: paragraphs filled, no-fill blocks kept as lines."""
    out: list[str] = []
    para: list[str] = []
    fill = True
    skipping_definition = False

    def flush() -> None:
        if para:
            out.append(" ".join(para) if fill else "\n".join(para))
            para.clear()

    for line in source.splitlines():
        if skipping_definition:
            skipping_definition = not line.startswith("..")
            continue
        if line.startswith((".\\\"", "'\\\"", '.\\"')) or line in (".", "'"):
            continue
        if line.startswith((".", "'")):
            macro, _, rest = line[1:].strip().partition(" ")
            if macro in ("de", "de1", "am"):
                skipping_definition = True
            elif macro == "TH":
                flush()
                out.append(_roff_args(rest).split()[0] if rest.split() else "")
            elif macro in ("SH", "SS"):
                flush()
                out.append(_roff_inline(rest.strip().strip('"')).upper() if macro == "SH"
                           else _roff_inline(rest.strip().strip('"')))
            elif macro in ("PP", "LP", "P", "sp", "TP", "HP", "IP", "br", "Pp"):
                flush()
                if macro == "IP" and rest.strip():
                    para.append(_roff_inline(rest.split('"')[1] if rest.startswith('"') else rest.split()[0]))
            elif macro == "nf":
                flush()
                fill = False
            elif macro == "fi":
                flush()
                fill = True
            elif macro in ("B", "I", "SM", "SB"):
                para.append(_roff_inline(rest.strip().strip('"')))
            elif macro in ("BR", "RB", "IR", "RI", "BI", "IB"):
                para.append(_roff_inline(_roff_args(rest)))
            elif macro in _SKIP_MACROS or not macro:
                continue
            continue
        text = _roff_inline(line)
        if text.strip() or not fill:
            para.append(text if not fill else text.strip())
        else:
            flush()
    flush()
    text = "\n\n".join(p for p in out if p.strip())
    return re.sub(r"[ \t]+\n", "\n", text)


def man_pages(root: Path = Path("/usr/share/man"), gcloud_limit: int = 1500) -> Iterator[tuple[str, str, str]]:
    """English man pages; gcloud's thousands of generated pages (mostly alpha/beta twins) capped."""
    gcloud = 0
    for section in sorted(root.glob("man[1-8]")):
        for path in sorted(section.iterdir()):
            if path.is_symlink() or not path.is_file():
                continue
            if path.name.startswith("gcloud"):
                if "_alpha_" in path.name or "_beta_" in path.name or gcloud >= gcloud_limit:
                    continue
                gcloud += 1
            try:
                raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
            except (OSError, EOFError):
                continue
            source = raw.decode("utf-8", errors="replace")
            if source.lstrip().startswith(".so "):
                continue
            yield "man", path.name, roff_to_text(source)


def info_nodes(root: Path = Path("/usr/share/info")) -> Iterator[tuple[str, str, str]]:
    for path in sorted(root.glob("*.info*.gz")):
        try:
            text = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        except (OSError, EOFError):
            continue
        for k, node in enumerate(text.split("\x1f")):
            header, _, body = node.strip("\n").partition("\n")
            if not header.startswith("File:") or "Node: Index" in header:
                continue
            yield "info", f"{path.name}#{k}", body.strip("\n")


def pages(text: str) -> list[str]:
    """A long text cut at blank lines into pages of about PAGE_CHARS (short texts: one page)."""
    if len(text) <= MAX_CHARS:
        return [text]
    out, current, size = [], [], 0
    for block in re.split(r"\n\s*\n", text):
        if size and size + len(block) > PAGE_CHARS:
            out.append("\n\n".join(current))
            current, size = [], 0
        current.append(block)
        size += len(block) + 2
    if current:
        out.append("\n\n".join(current))
    return out


def package_docs(root: Path = Path("/usr/share/doc")) -> Iterator[tuple[str, str, str]]:
    wanted = re.compile(r"^(README|NEWS|CHANGES|HISTORY|FAQ|TODO|USAGE|AUTHORS|THANKS|BUGS)|\.(txt|md|rst)$", re.I)
    for path in sorted(root.rglob("*")):
        name = path.name[:-3] if path.name.endswith(".gz") else path.name
        if not path.is_file() or path.is_symlink() or not wanted.search(name) or "changelog" in name.lower():
            continue
        try:
            raw = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
        except (OSError, EOFError):
            continue
        for k, page in enumerate(pages(raw.decode("utf-8", errors="replace"))):
            yield "doc", f"{path.relative_to(root)}#{k}", page


def _package_roots() -> list[Path]:
    return [Path(sysconfig.get_paths()["stdlib"]), Path(sysconfig.get_paths()["purelib"])]


def _docstring_pages(tree: ast.Module, module: str) -> Iterator[tuple[str, str]]:
    doc = ast.get_docstring(tree)
    if doc:
        yield module, doc
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            parts = [f"class {node.name}", ast.get_docstring(node) or ""]
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and not item.name.startswith("_"):
                    method_doc = ast.get_docstring(item)
                    if method_doc:
                        parts.append(f"{node.name}.{item.name}()\n\n{method_doc}")
            yield f"{module}.{node.name}", "\n\n".join(p for p in parts if p)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            fdoc = ast.get_docstring(node)
            if fdoc:
                yield f"{module}.{node.name}", f"{node.name}()\n\n{fdoc}"


def python_docs(max_file_bytes: int = 600_000) -> Iterator[tuple[str, str, str]]:
    """Docstring pages and shipped Markdown/reST of the stdlib and the installed packages."""
    skip = re.compile(r"(^|/)(tests?|testing|_vendor|vendored|site-packages|dist-packages|pip|idlelib|lib2to3|"
                      r"turtledemo)(/|$)")
    for root in _package_roots():
        for path in sorted(root.rglob("*")):
            rel = str(path.relative_to(root))
            if skip.search(rel) or not path.is_file():  # (relative: the venv's own packages are not skipped)
                continue
            if path.suffix in (".md", ".rst") and path.stat().st_size < max_file_bytes:
                for k, page in enumerate(pages(path.read_text(encoding="utf-8", errors="replace"))):
                    yield "pydoc", f"{rel}#{k}", page
            elif path.suffix == ".py" and path.stat().st_size < max_file_bytes:
                try:
                    tree = ast.parse(path.read_bytes())
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    continue
                module = rel[:-3].replace("/", ".")
                for name, text in _docstring_pages(tree, module):
                    for k, page in enumerate(pages(text)):
                        yield "pydoc", f"{name}#{k}", page


def all_documents() -> Iterator[tuple[str, str, str]]:
    """Every source, documents of MIN_CHARS..MAX_CHARS characters (longer ones were paged)."""
    for source in (man_pages(), info_nodes(), package_docs(), python_docs()):
        for kind, name, text in source:
            text = text.strip("\n")
            if MIN_CHARS <= len(text) <= MAX_CHARS:
                yield kind, name, text


if __name__ == "__main__":  # a quick look: counts and sizes per source
    from collections import Counter

    counts, sizes = Counter(), Counter()
    for kind, _, text in all_documents():
        counts[kind] += 1
        sizes[kind] += len(text)
    for kind in counts:
        print(kind, counts[kind], round(sizes[kind] / counts[kind]))
    print(sys.version)
