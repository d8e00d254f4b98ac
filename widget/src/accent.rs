//! The site's accent colour as CSS custom properties for the panel: `--accent`, and the text
//! colour on it (`--pvx-on-accent`), dark on light colours so the header stays readable.

/// `style` for the panel root, or `None` (the stylesheet's default) unless `color` is `#rrggbb`;
/// anything else is ignored, so the setting can never inject other CSS.
pub fn accent_style(color: &str) -> Option<String> {
    let hex = color.strip_prefix('#').filter(|h| h.len() == 6)?;
    let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok().map(u32::from);
    let (r, g, b) = (channel(0)?, channel(2)?, channel(4)?);
    // Perceived brightness (ITU-R BT.601 weights), 0-255.
    let light = (r * 299 + g * 587 + b * 114) / 1000 > 170;
    let ink = if light { ";--pvx-on-accent:#1b1f29" } else { "" };
    Some(format!("--accent:{color}{ink}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hex_colours_are_used() {
        assert_eq!(accent_style("#1f5eff").as_deref(), Some("--accent:#1f5eff"));
        assert_eq!(accent_style("#ffd84d").as_deref(), Some("--accent:#ffd84d;--pvx-on-accent:#1b1f29"));
        for bad in ["", "red", "#12345", "#1234567", "#12345g", "#12;}x{", "1f5eff"] {
            assert_eq!(accent_style(bad), None, "{bad:?}");
        }
    }
}
