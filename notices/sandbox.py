"""PDF extraction in a child process under resource limits: a PDF bomb costs only the child.

pdfminer inflates every stream in memory: a PDF of 1 MB can ask for gigabytes and minutes,
and no check inside one Python process can stop it in time. The child sets its own
address-space and CPU limits (``RLIMIT_AS``, ``RLIMIT_CPU``) before it reads a byte, is
given a wall-clock timeout too, and hands back at most ``MAX_TEXT_BYTES`` of text.
Whatever passes a limit is :class:`~notices.errors.OverBudget`; a PDF pdfminer cannot read
stays a :class:`~notices.errors.DecodeError`.

The child is ``python -m notices.sandbox MEMORY_MB CPU_SECONDS``: the PDF on stdin, its
text (UTF-8) on stdout; exit status 2 is a DecodeError, 3 a limit passed.
"""

from __future__ import annotations

import resource
import subprocess
import sys

from notices.errors import DecodeError, OverBudget

MAX_TEXT_BYTES = 20 * 1024 * 1024
_UNREADABLE, _OVER = 2, 3


def pdf_text_limited(data: bytes, *, memory_mb: int, cpu_seconds: int) -> str:
    """Return a PDF's text as :func:`notices.extract.pdf_text` does, in a limited child."""
    command = [sys.executable, "-m", "notices.sandbox", str(memory_mb), str(cpu_seconds)]
    limits = f"{memory_mb} MB, {cpu_seconds} s of CPU"
    wall = cpu_seconds * 2 + 10  # CPU time runs slower than the clock on a busy machine
    try:
        child = subprocess.run(command, input=data, capture_output=True, timeout=wall)
    except subprocess.TimeoutExpired as exc:
        raise OverBudget(f"PDF extraction took too long ({limits})") from exc
    if child.returncode == 0:
        return child.stdout.decode("utf-8")
    reason = child.stderr.decode("utf-8", errors="replace").strip().splitlines()
    if child.returncode == _UNREADABLE:
        raise DecodeError(reason[-1] if reason else "not a readable PDF")
    raise OverBudget(f"PDF extraction passed its limits ({limits}; exit {child.returncode})")


def _limit(memory_mb: int, cpu_seconds: int) -> None:
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))


def main(argv: list[str]) -> int:
    """Run in the child: limits first, then read the PDF on stdin, write its text."""
    _limit(int(argv[0]), int(argv[1]))
    from notices.extract import pdf_text  # imported under the limits, like all it allocates

    data = sys.stdin.buffer.read()
    try:
        text = pdf_text(data).encode("utf-8")
    except DecodeError as exc:
        if isinstance(exc.__cause__, MemoryError):
            return _OVER
        print(exc, file=sys.stderr)
        return _UNREADABLE
    except MemoryError:
        return _OVER
    if len(text) > MAX_TEXT_BYTES:
        return _OVER
    sys.stdout.buffer.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
