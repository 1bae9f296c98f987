"""The platform's core: what every module needs and no module owns (ADR 0015). It imports no
module; the modules import it. This file imports nothing, so that `core.text` stays importable
without Django by the pure-Python profiles (`provinces/`)."""
