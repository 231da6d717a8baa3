# Runs without torch or a GPU:
#   python3 -m unittest discover -s apps/server/workflows/custom_nodes -t apps/server/workflows/custom_nodes
import unittest

from comfyui_mediagen import NODE_CLASS_MAPPINGS
from comfyui_mediagen.keyframe_layout import known_positions, latent_frames, mask_layout, snap_keyframe


class KeyframeLayoutTest(unittest.TestCase):
    def test_snaps_to_multiples_of_eight_inside_the_clip(self):
        # Python round(): halves go to the even multiple, as in AniSora's own code
        self.assertEqual([snap_keyframe(i, 81) for i in (0, 3, 4, 12, 37, 40, 80, 200)], [0, 0, 0, 16, 40, 40, 80, 80])
        self.assertEqual(snap_keyframe(20, 17), 16)
        self.assertEqual(snap_keyframe(5, 9), 8)

    def test_one_known_position_per_keyframe(self):
        self.assertEqual(known_positions(0, 81), [0, 1, 2, 3])
        self.assertEqual(known_positions(40, 81), [43])
        self.assertEqual(known_positions(80, 81), [83])
        with self.assertRaises(ValueError):
            known_positions(81, 81)

    def test_layout_matches_comfyui_first_and_last_frame_conventions(self):
        size = latent_frames(81) * 4
        self.assertEqual(size, 84)
        # frame 0: like WanFirstLastFrameToVideo's start_image (mask[:1 + 3] = 0)
        self.assertEqual(mask_layout(0, 81), [0] * 4 + [1] * (size - 4))
        # the last frame: like its end_image (mask[-1:] = 0)
        self.assertEqual(mask_layout(80, 81), [1] * (size - 1) + [0])
        # an interior keyframe marks one frame only (AniSora), not a whole latent frame
        layout = mask_layout(40, 81)
        self.assertEqual(layout.count(0), 1)
        self.assertEqual(layout.index(0) // 4, 10)

    def test_node_declares_what_the_gateway_binds(self):
        node = NODE_CLASS_MAPPINGS["MediaGenWanKeyframeToVideo"]
        required = node.INPUT_TYPES()["required"]
        for name in ("positive", "negative", "vae", "width", "height", "length", "batch_size", "image", "frame_index"):
            self.assertIn(name, required)
        self.assertEqual(node.RETURN_TYPES, ("CONDITIONING", "CONDITIONING", "LATENT"))


if __name__ == "__main__":
    unittest.main()
