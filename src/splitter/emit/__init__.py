"""Emit: carry a plan out (new modules from one libcst parse, references retargeted) and write it all or nothing."""
