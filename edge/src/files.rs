//! Files in chat, the pure part: where a conversation's files live in R2, the link each party
//! fetches them by, the seal on an upload's receipt, and the headers a file is served with (an
//! SVG or HTML file is never run: every file comes with a sandboxing CSP, and everything but a
//! picture as a download). The routes and R2 calls are in `file_routes`.

use crate::auth;
use shared::files::{file_name, Attachment, FileKind, SealedFile, MAX_FILE_BYTES};
use shared::{ConversationId, SiteId};

/// What a conversation deals in files with: the key that seals uploads and signs file links,
/// and its site.
#[derive(Debug, Clone, Copy)]
pub struct FileKeys<'a> {
    pub secret: &'a [u8],
    pub site: &'a str,
}

impl FileKeys<'_> {
    /// For the logic's native tests.
    pub const TEST: FileKeys<'static> = FileKeys { secret: b"test file key", site: "demo" };

    /// Where this conversation's parties fetch its files until `now` + [`auth::FILE_LINK_TTL_MS`]:
    /// `/files/SITE/CONVERSATION/TOKEN/`, to which a file's id is added.
    pub fn path(&self, conversation: &ConversationId, now: i64) -> String {
        let token = auth::files_token(self.secret, self.site, conversation, now + auth::FILE_LINK_TTL_MS);
        format!("/files/{}/{conversation}/{token}/", self.site)
    }

    /// The receipt for a file the edge stored in `conversation`.
    pub fn seal(&self, conversation: &ConversationId, file: Attachment) -> SealedFile {
        let seal = auth::file_seal(self.secret, conversation, &file);
        SealedFile { file, seal }
    }

    /// The file a message may carry, if its receipt was sealed for `conversation`.
    pub fn open(&self, conversation: &ConversationId, sealed: &SealedFile) -> Option<Attachment> {
        auth::check_file_seal(self.secret, conversation, &sealed.file, &sealed.seal).then(|| sealed.file.clone())
    }
}

/// The R2 key of a conversation's file; all of a conversation's files share the prefix
/// [`prefix`], so erasing the conversation erases them.
pub fn key(site: &SiteId, conversation: &ConversationId, id: &str) -> String {
    format!("{}{id}", prefix(site, conversation))
}

pub fn prefix(site: &SiteId, conversation: &ConversationId) -> String {
    format!("{site}/{conversation}/")
}

/// What an upload of `bytes` named `name` is, or why it is refused: over the size limit, or not
/// a kind the chat takes (by its bytes; the name's extension counts for nothing).
pub fn accept(id: String, name: &str, bytes: &[u8]) -> Result<Attachment, crate::error::EdgeError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(crate::error::EdgeError::TooLarge);
    }
    let kind = FileKind::sniff(bytes).ok_or(crate::error::EdgeError::UnsupportedFile)?;
    Ok(Attachment { id, name: file_name(name), size: bytes.len() as u64, kind })
}

/// The headers a stored file is served with: its sniffed type, never sniffed again by the
/// browser; a CSP under which nothing in it runs or loads; shown in place only if a picture,
/// otherwise downloaded under its name; kept in the browser's cache only (the link expires).
pub fn headers(kind: FileKind, name: &str) -> Vec<(&'static str, String)> {
    let disposition = if kind.is_image() { "inline" } else { "attachment" };
    // An ASCII fallback (quotes and anything else unsafe dropped) and the UTF-8 name (RFC 6266).
    let ascii: String = name.chars().filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\' || *c == ' ').collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    vec![
        ("content-type", kind.mime().to_owned()),
        ("content-disposition", format!("{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")),
        (
            "content-security-policy",
            "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'".to_owned(),
        ),
        ("x-content-type-options", "nosniff".to_owned()),
        ("cache-control", "private, max-age=3600".to_owned()),
        ("cross-origin-resource-policy", "same-origin".to_owned()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conversation() -> ConversationId {
        ConversationId::parse("cv_abcdefgh").unwrap()
    }

    #[test]
    fn a_receipt_opens_in_its_own_conversation_only() {
        let keys = FileKeys::TEST;
        let file = accept("f_12345678".into(), "shot.png", b"\x89PNG\r\n\x1a\n....").unwrap();
        let sealed = keys.seal(&conversation(), file.clone());
        assert_eq!(keys.open(&conversation(), &sealed), Some(file.clone()));
        assert_eq!(keys.open(&ConversationId::parse("cv_zzzzzzzz").unwrap(), &sealed), None);
        let renamed = SealedFile { file: Attachment { name: "x.html".into(), ..file }, ..sealed };
        assert_eq!(keys.open(&conversation(), &renamed), None);
    }

    #[test]
    fn uploads_are_judged_by_their_bytes_and_size() {
        let png = accept("f_12345678".into(), "C:\\shots\\shot.exe", b"\x89PNG\r\n\x1a\nrest").unwrap();
        assert_eq!((png.kind, png.name.as_str(), png.size), (FileKind::Png, "shot.exe", 12));
        assert!(matches!(accept("f_1".into(), "a.png", b"MZ\x90\0"), Err(crate::error::EdgeError::UnsupportedFile)));
        let big = vec![b'a'; MAX_FILE_BYTES as usize + 1];
        assert!(matches!(accept("f_1".into(), "a.txt", &big), Err(crate::error::EdgeError::TooLarge)));
        assert_eq!(accept("f_1".into(), "a.txt", &big[1..]).unwrap().kind, FileKind::Text);
    }

    #[test]
    fn nothing_served_can_run_and_only_pictures_show_in_place() {
        let header = |kind, name: &str, which: &str| {
            headers(kind, name).into_iter().find(|(h, _)| *h == which).map(|(_, v)| v).unwrap()
        };
        assert_eq!(header(FileKind::Text, "evil.svg", "content-type"), "text/plain; charset=utf-8");
        assert!(header(FileKind::Text, "evil.svg", "content-disposition").starts_with("attachment;"));
        assert!(header(FileKind::Pdf, "a.pdf", "content-disposition").starts_with("attachment;"));
        assert!(header(FileKind::Png, "a.png", "content-disposition").starts_with("inline;"));
        for kind in FileKind::ALL {
            assert!(header(kind, "x", "content-security-policy").starts_with("sandbox;"));
            assert_eq!(header(kind, "x", "x-content-type-options"), "nosniff");
        }
        assert_eq!(
            header(FileKind::Pdf, "Rechnung \"März\".pdf", "content-disposition"),
            "attachment; filename=\"Rechnung Mrz.pdf\"; filename*=UTF-8''Rechnung%20%22M%C3%A4rz%22.pdf"
        );
    }

    #[test]
    fn links_are_per_site_and_conversation() {
        let path = FileKeys::TEST.path(&conversation(), 1_000);
        assert!(path.starts_with("/files/demo/cv_abcdefgh/") && path.ends_with('/'), "{path}");
        let token = path.trim_end_matches('/').rsplit('/').next().unwrap();
        assert!(auth::check_files_token(FileKeys::TEST.secret, "demo", &conversation(), token, 2_000).is_ok());
        assert_eq!(key(&SiteId::parse("demo").unwrap(), &conversation(), "f_1"), "demo/cv_abcdefgh/f_1");
    }
}
