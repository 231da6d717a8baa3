# MediaGen's own ComfyUI node for AniSora V3.2 arbitrary-frame generation: one guide image at one frame
# (a multiple of 8), mid-grey elsewhere, VAE-encoded as I2V concat conditioning with a one-frame mask.
# Heavy imports live inside execute() so the module loads (and is tested) without torch.
from .keyframe_layout import known_positions, latent_frames, snap_keyframe

MAX_RESOLUTION = 16384


class MediaGenWanKeyframeToVideo:
    @classmethod
    def INPUT_TYPES(s):
        return {
            "required": {
                "positive": ("CONDITIONING",),
                "negative": ("CONDITIONING",),
                "vae": ("VAE",),
                "width": ("INT", {"default": 832, "min": 16, "max": MAX_RESOLUTION, "step": 16}),
                "height": ("INT", {"default": 480, "min": 16, "max": MAX_RESOLUTION, "step": 16}),
                "length": ("INT", {"default": 81, "min": 1, "max": MAX_RESOLUTION, "step": 4}),
                "batch_size": ("INT", {"default": 1, "min": 1, "max": 4096}),
                "image": ("IMAGE",),
                "frame_index": ("INT", {"default": 0, "min": 0, "max": MAX_RESOLUTION, "step": 8}),
            },
            "optional": {
                "clip_vision_output": ("CLIP_VISION_OUTPUT",),
            },
        }

    RETURN_TYPES = ("CONDITIONING", "CONDITIONING", "LATENT")
    RETURN_NAMES = ("positive", "negative", "latent")
    FUNCTION = "execute"
    CATEGORY = "conditioning/video_models"
    DESCRIPTION = (
        "AniSora-style keyframe: the image conditions one frame (snapped to a multiple of 8); "
        "every other frame is generated."
    )

    def execute(self, positive, negative, vae, width, height, length, batch_size, image, frame_index,
                clip_vision_output=None):
        import torch
        import comfy.model_management
        import comfy.utils
        import node_helpers

        scale = vae.spacial_compression_encode()
        latent_t = latent_frames(length)
        latent = torch.zeros([batch_size, vae.latent_channels, latent_t, height // scale, width // scale],
                             device=comfy.model_management.intermediate_device())
        frame = snap_keyframe(frame_index, length)
        # AniSora resizes the guide bicubically to the output size, without cropping
        guide = comfy.utils.common_upscale(image[:1].movedim(-1, 1), width, height, "bicubic", "disabled").movedim(1, -1)
        video = torch.ones((length, height, width, 3)) * 0.5
        video[frame] = guide[0, :, :, :3]
        mask = torch.ones((1, 1, latent_t * 4, latent.shape[-2], latent.shape[-1]))
        for position in known_positions(frame, length):
            mask[:, :, position] = 0.0
        concat = vae.encode(video[:, :, :, :3])
        mask = mask.view(1, mask.shape[2] // 4, 4, mask.shape[3], mask.shape[4]).transpose(1, 2)
        values = {"concat_latent_image": concat, "concat_mask": mask}
        positive = node_helpers.conditioning_set_values(positive, values)
        negative = node_helpers.conditioning_set_values(negative, values)
        if clip_vision_output is not None:
            positive = node_helpers.conditioning_set_values(positive, {"clip_vision_output": clip_vision_output})
            negative = node_helpers.conditioning_set_values(negative, {"clip_vision_output": clip_vision_output})
        return (positive, negative, {"samples": latent})
