"""Build steps, one module each: ``run(ctx) -> StepResult``."""
