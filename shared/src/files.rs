//! Files in chat: the kinds the edge takes (known by their bytes, never by their name), how big,
//! and what a message carries about one. The bytes live in R2; a message holds an [`Attachment`],
//! and each party fetches the bytes through the conversation's expiring file link (see
//! [`crate::ServerMsg::Welcome`]).

use serde::{Deserialize, Serialize};

/// Largest file, in bytes.
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;
/// Longest file name kept, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 120;

/// What a file is, as its bytes say.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Png,
    Jpeg,
    Gif,
    Webp,
    Pdf,
    /// UTF-8 text. An SVG or HTML file is text too: served as such, as a download, never drawn.
    Text,
}

impl FileKind {
    pub const ALL: [FileKind; 6] = [Self::Png, Self::Jpeg, Self::Gif, Self::Webp, Self::Pdf, Self::Text];

    /// The kind of `bytes` by their signature; `None` for anything the chat does not take.
    /// Text is UTF-8 with no control characters but tab, line breaks and form feed.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        let starts = |sig: &[u8]| bytes.starts_with(sig);
        if starts(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if starts(b"\xff\xd8\xff") {
            Some(Self::Jpeg)
        } else if starts(b"GIF87a") || starts(b"GIF89a") {
            Some(Self::Gif)
        } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
            Some(Self::Webp)
        } else if starts(b"%PDF-") {
            Some(Self::Pdf)
        } else {
            let text = std::str::from_utf8(bytes).ok()?;
            let plain = text.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0c'));
            (!text.is_empty() && plain).then_some(Self::Text)
        }
    }

    /// The content type it is served with.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Pdf => "application/pdf",
            Self::Text => "text/plain; charset=utf-8",
        }
    }

    /// Shown in the chat as a picture (the others as a link with the name and size).
    pub fn is_image(self) -> bool {
        matches!(self, Self::Png | Self::Jpeg | Self::Gif | Self::Webp)
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpeg",
            Self::Gif => "gif",
            Self::Webp => "webp",
            Self::Pdf => "pdf",
            Self::Text => "text",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A file attached to a message: its id in the conversation (the R2 key's last part), the name
/// its sender gave it (cleaned by [`file_name`]), its size in bytes and its kind.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "openapi",
    schemars(
        description = "A file attached to a message: its id, the name its sender gave it, its size in bytes and its kind."
    )
)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: String,
    pub name: String,
    pub size: u64,
    pub kind: FileKind,
}

/// An [`Attachment`] as the edge answers an upload: `seal` proves the edge stored it for this
/// conversation, so a message can carry it (and nothing else can pass for an uploaded file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedFile {
    #[serde(flatten)]
    pub file: Attachment,
    pub seal: String,
}

/// A file name as kept and shown: its last path part, without control characters or quotes,
/// trimmed to [`MAX_FILE_NAME_CHARS`]; "file" when nothing is left.
pub fn file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String =
        last.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>')).take(MAX_FILE_NAME_CHARS).collect();
    match clean.trim().trim_start_matches('.') {
        "" => "file".to_owned(),
        name => name.to_owned(),
    }
}

/// A size as people read it: "812 B", "14 KB", "2.4 MB".
pub fn readable_size(bytes: u64) -> String {
    // In u32 (files are at most a few MB): formatting a u64 costs the widget's WASM its own code.
    let b = bytes.min(u64::from(u32::MAX)) as u32;
    match b {
        0..1_000 => format!("{b} B"),
        1_000..1_000_000 => format!("{} KB", b.div_ceil(1_000)),
        _ => format!("{}.{} MB", b / 1_000_000, (b % 1_000_000) / 100_000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_known_by_their_bytes_not_their_name() {
        assert_eq!(FileKind::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(FileKind::Png));
        assert_eq!(FileKind::sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"), Some(FileKind::Jpeg));
        assert_eq!(FileKind::sniff(b"GIF89a\x01\0"), Some(FileKind::Gif));
        assert_eq!(FileKind::sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some(FileKind::Webp));
        assert_eq!(FileKind::sniff(b"RIFF\x24\0\0\0WAVEfmt "), None, "a WAV is not a WebP");
        assert_eq!(FileKind::sniff(b"%PDF-1.7\n"), Some(FileKind::Pdf));
        assert_eq!(FileKind::sniff("Order 1234\r\nGrüße\tund Dank\n".as_bytes()), Some(FileKind::Text));
        // SVG and HTML are text: kept, and served as plain text to download, never drawn.
        assert_eq!(
            FileKind::sniff(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
            Some(FileKind::Text)
        );
        assert_eq!(FileKind::sniff(b"<!doctype html><script>alert(1)</script>"), Some(FileKind::Text));
        // Programs, archives, binary junk and nothing at all are not.
        assert_eq!(FileKind::sniff(b"MZ\x90\0\x03\0\0\0"), None);
        assert_eq!(FileKind::sniff(b"PK\x03\x04\x14\0"), None);
        assert_eq!(FileKind::sniff(b"\x7fELF\x02\x01"), None);
        assert_eq!(FileKind::sniff(b"text with a \0 in it"), None);
        assert_eq!(FileKind::sniff(b"\xc3\x28 not UTF-8"), None);
        assert_eq!(FileKind::sniff(b""), None);
        for kind in FileKind::ALL {
            assert_eq!(FileKind::from_code(kind.code()), Some(kind));
        }
    }

    #[test]
    fn names_are_cleaned_and_sizes_read_well() {
        assert_eq!(file_name("C:\\Users\\ana\\Desktop\\invoice 12.pdf"), "invoice 12.pdf");
        assert_eq!(file_name("../../etc/passwd"), "passwd");
        assert_eq!(file_name("a\"b<c>d\u{0}\u{1b}[31m.txt"), "abcd[31m.txt");
        assert_eq!(file_name("   "), "file");
        assert_eq!(file_name(".htaccess"), "htaccess");
        assert_eq!(file_name(&"x".repeat(500)).chars().count(), MAX_FILE_NAME_CHARS);
        assert_eq!(readable_size(812), "812 B");
        assert_eq!(readable_size(14_200), "15 KB");
        assert_eq!(readable_size(2_412_000), "2.4 MB");
    }
}
