# MediaGen's ComfyUI nodes (installed by the gateway's setup script into custom_nodes/comfyui_mediagen).
from .nodes import MediaGenWanKeyframeToVideo

NODE_CLASS_MAPPINGS = {
    "MediaGenWanKeyframeToVideo": MediaGenWanKeyframeToVideo,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "MediaGenWanKeyframeToVideo": "Wan Keyframe To Video (MediaGen, AniSora)",
}
__all__ = ["NODE_CLASS_MAPPINGS", "NODE_DISPLAY_NAME_MAPPINGS"]
