# Pure arithmetic of AniSora V3.2's keyframe conditioning (bilibili/Index-anisora, anisoraV3.2/wan/image2video.py
# at 171fe63, read for its semantics): a guide image sits at ONE frame whose index is a multiple of 8, and the
# 4-channel concat mask marks only that frame as known. No torch here, so it is testable without a GPU.
#
# ComfyUI's layout (comfy_extras/nodes_wan.py WanFirstLastFrameToVideo at 0.3.64): the mask has latent_t * 4
# positions; position 0..3 are the first frame repeated four times and pixel frame f >= 1 sits at f + 3; the
# mask is 0 where a frame is known and 1 where it is generated (WAN21.concat_cond inverts it for the model).


def latent_frames(length: int) -> int:
    """Latent frames of a Wan clip of `length` pixel frames (4x temporal compression)."""
    return ((length - 1) // 4) + 1


def snap_keyframe(index: int, length: int) -> int:
    """The frame AniSora would use: the nearest multiple of 8, never past the last multiple of 8 in the clip."""
    if length < 1:
        raise ValueError("length must be at least 1")
    last = ((length - 1) // 8) * 8
    snapped = int(round(max(0, index) / 8.0)) * 8
    return min(snapped, last)


def known_positions(frame: int, length: int) -> list:
    """Mask positions (0-based, of latent_frames(length) * 4) that the keyframe marks as known."""
    if frame < 0 or frame > length - 1:
        raise ValueError("frame %d is outside a clip of %d frames" % (frame, length))
    if frame == 0:
        return [0, 1, 2, 3]
    return [frame + 3]


def mask_layout(frame: int, length: int) -> list:
    """The whole mask as a list of 0 (known) / 1 (generated), one entry per position."""
    size = latent_frames(length) * 4
    known = set(known_positions(frame, length))
    return [0 if i in known else 1 for i in range(size)]
