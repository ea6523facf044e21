"""Build the optional C accelerator; install without it when it cannot be compiled.

The metadata lives in setup.cfg. As MarkupSafe does for its ``_speedups``: a failing
compiler (or none at all) is reported and the pure-Python codecs are installed alone.
"""

import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.errors import CCompilerError, ExecError, PlatformError


class BuildFailed(Exception):
    """The extension could not be built."""


class optional_build_ext(build_ext):
    """build_ext that turns a compiler failure into a pure-Python install."""

    def run(self):
        try:
            super().run()
        except PlatformError as exc:
            raise BuildFailed() from exc

    def build_extension(self, ext):
        if self.compiler.compiler_type == "unix":
            # A function used without its prototype is a bug here, never a warning; the
            # module's own functions stay inside it (PyInit is exported by its macro).
            ext.extra_compile_args = [
                "-Werror=implicit-function-declaration",
                "-fvisibility=hidden",
            ]
        try:
            super().build_extension(ext)
        except (CCompilerError, ExecError, PlatformError, OSError) as exc:
            raise BuildFailed() from exc


def show_message(*lines):
    """Print a framed note to stderr."""
    print("=" * 75, file=sys.stderr)
    for line in lines:
        print(line, file=sys.stderr)
    print("=" * 75, file=sys.stderr)


def run_setup(with_speedups: bool) -> None:
    """Run setup(), with or without the extension."""
    sources = ["_speedups.c", "_speedups_decode.c", "_speedups_utf8.c"]
    sources += ["_speedups_encode.c", "_speedups_text.c"]
    speedups = Extension(
        "carrier_emoji._speedups",
        [f"carrier_emoji/{name}" for name in sources],
        depends=["carrier_emoji/_speedups.h"],
    )
    ext_modules = [speedups]
    setup(
        ext_modules=ext_modules if with_speedups else [],
        cmdclass={"build_ext": optional_build_ext},
    )


if os.environ.get("CARRIER_EMOJI_NO_SPEEDUPS", "") not in ("", "0"):
    run_setup(False)
else:
    try:
        run_setup(True)
    except BuildFailed:
        show_message(
            "WARNING: the C extension carrier_emoji._speedups could not be compiled.",
            "Installing the pure-Python codecs (same results, slower).",
        )
        run_setup(False)
