"""Local models: Ollama management, Stable Diffusion (diffusers), GPU monitoring and VRAM arbitration.

No Qt here; torch and diffusers are imported lazily inside functions.
"""
