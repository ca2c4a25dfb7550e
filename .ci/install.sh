# Sourced by .ci/run, .ci/openai-suite and .ci/user-typing: how CI makes a venv and installs
# into it, in one place.
#
# uv when it is on PATH (.ci/run installs it into $LF_CI_VENVS/tools and puts it there), else pip
# (LF_CI_PIP=1: pip always). uv reads none of pip's configuration (pip.conf's extra-index-url and
# find-links, PIP_* variables): on a machine that installs only from a mirror, use LF_CI_PIP=1.
# On this 2-core machine uv installs a leg in ~5 s where pip took ~60 s (three legs, their
# openai-suite extras and three user-typing venvs: about five minutes of every CI run).
#
# Bytecode is compiled at install time (uv: --compile-bytecode; pip does it by default): these
# machines set PYTHONDONTWRITEBYTECODE=1, so anything not compiled then is compiled again by
# every process that imports it (each CLI test's subprocess, each pytest worker: ~1 s for openai).

ci_uv() {  # whether to install with uv
  [ -z "${LF_CI_PIP:-}" ] && command -v uv >/dev/null 2>&1
}

ci_python() {  # the interpreter CI builds its venvs from, as a path (uv wants one)
  "${PYTHON:-python3}" -c 'import sys; print(sys.executable)'
}

ci_venv() {  # VENV: create it if missing (with pip in it: fetch_openai_sdist.py runs `pip download`)
  local venv=$1
  # One left by an interrupted run, or made without pip, is made again.
  "$venv/bin/python" -m pip --version >/dev/null 2>&1 && return 0
  rm -rf "$venv"
  if ci_uv; then
    uv venv -q --seed --python "$(ci_python)" "$venv"
  else
    "$(ci_python)" -m venv "$venv"
  fi
}

ci_install() {  # VENV REQUIREMENT...: install into VENV
  local venv=$1
  shift
  if ci_uv; then
    uv pip install -q --compile-bytecode --python "$venv/bin/python" "$@"
  else
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "$@"
  fi
}
