"""Reading a PDF's text as a person would see it: Debian's pdftotext."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def pdf_text(pdf: bytes) -> str:
    """The words of the PDF, separated by single spaces."""
    program = shutil.which("pdftotext")
    if program is None:
        message = "pdftotext is not installed; `bash scripts/test-services.sh` installs it"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " and CI=true requires it.")
        pytest.skip(message + ".")
    result = subprocess.run(
        [program, "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    )
    return " ".join(result.stdout.decode().split())
