"""The platform's core: what every module needs and no module owns (ARCHITECTURE.md, ADR
0015). It imports no module; the modules import it."""
