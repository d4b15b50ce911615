"""The class colours stay apart for colour-blind viewers.

Each colour is passed through Machado, Oliveira and Fernandes' (2009) simulation of full
protanopia, deuteranopia and tritanopia (their severity-1.0 matrices, applied to linear
sRGB), and every pair of classes is compared by CIE76 colour difference (Euclidean distance
in CIELAB; ΔE of about 2 is just noticeable, above 20 reads as a different colour at a
glance). The points also need WCAG's 3:1 non-text contrast against the white plot.
"""

import numpy as np
import pytest

from viz import style

MACHADO = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]])
WHITE = SRGB_TO_XYZ @ np.ones(3)
# The two classes of every binary dataset (orange, blue): far apart for every viewer.
MIN_TWO_CLASS_DELTA_E = 40
# The third class (green) of the 3-class datasets comes closest to blue for tritanopes
# (ΔE 18.9 for the points, 8.8 for the boundary's pale tints); its points also differ by
# their marker's shape (circle, square, diamond), so the colour is not the only cue.
MIN_THIRD_CLASS_DELTA_E = 15
MIN_THIRD_CLASS_TINT_DELTA_E = 8


def linear(rgb):
    c = np.asarray(rgb, float) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(linear_rgb):
    xyz = SRGB_TO_XYZ @ np.clip(linear_rgb, 0, 1) / WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a, b, vision):
    return float(np.linalg.norm(lab(MACHADO[vision] @ linear(a)) - lab(MACHADO[vision] @
                                                                         linear(b))))


def contrast_with_white(rgb):
    luminance = float(SRGB_TO_XYZ[1] @ linear(rgb))
    return 1.05 / (luminance + 0.05)


def test_the_simulation_is_the_published_one():
    # Each row of Machado's matrices sums to 1 (white stays white), and a pure red and a
    # pure green collapse towards each other for protanopes and deuteranopes.
    for matrix in MACHADO.values():
        np.testing.assert_allclose(matrix.sum(axis=1), 1, atol=1e-3)
    red, green = (255, 0, 0), (0, 160, 0)
    assert delta_e(red, green, "normal") > 80
    assert delta_e(red, green, "deuteranopia") < 40 and delta_e(red, green, "protanopia") < 60


@pytest.mark.parametrize("vision", sorted(MACHADO))
def test_the_two_classes_stay_far_apart(vision):
    orange, blue = style.class_colors_rgb()[:2]
    assert delta_e(orange, blue, vision) >= MIN_TWO_CLASS_DELTA_E
    tint_orange, tint_blue = style.CLASS_TINTS[:2]
    assert delta_e(tint_orange, tint_blue, vision) >= MIN_TWO_CLASS_DELTA_E


@pytest.mark.parametrize("vision", sorted(MACHADO))
def test_the_third_class_stays_apart_and_has_its_own_marker(vision):
    colours, tints = style.class_colors_rgb(), style.CLASS_TINTS
    for other in (0, 1):
        assert delta_e(colours[2], colours[other], vision) >= MIN_THIRD_CLASS_DELTA_E
        assert delta_e(tints[2], tints[other], vision) >= MIN_THIRD_CLASS_TINT_DELTA_E
    assert len(set(style.CLASS_SYMBOLS)) == len(style.CLASS_COLORS)


def test_points_stand_out_from_the_white_plot():
    for rgb in style.class_colors_rgb():
        assert contrast_with_white(rgb) >= 3.0, (rgb, contrast_with_white(rgb))
