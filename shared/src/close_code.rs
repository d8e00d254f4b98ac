//! The WebSocket close codes the edge ends a socket with on purpose. Each one is final: the
//! reason will not go away, so a client that sees it stops reconnecting and says why.

/// Why the edge closed a socket for good (codes in the 4000–4999 range applications may use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CloseCode {
    /// The agent was removed from the workspace: their inbox socket stops getting its
    /// conversations (4003).
    RemovedFromWorkspace,
    /// The workspace was closed: every socket of it ends (4004).
    WorkspaceClosed,
    /// The conversation was deleted, by an erasure or the retention period (4410, after HTTP's
    /// 410 Gone).
    ConversationDeleted,
    /// The agent's session that opened the socket ended: signed out, revoked from another
    /// device, the password changed or the account closed (4001, after HTTP's 401).
    SessionEnded,
    /// The visitor's token no longer opens this conversation: it became a verified user's, and
    /// this token is not theirs (4011).
    TokenSuperseded,
    /// An agent blocked this visitor (4012).
    VisitorBlocked,
}

impl CloseCode {
    /// Every close code, for the client's check of an incoming code.
    pub const ALL: [CloseCode; 6] = [
        CloseCode::RemovedFromWorkspace,
        CloseCode::WorkspaceClosed,
        CloseCode::ConversationDeleted,
        CloseCode::SessionEnded,
        CloseCode::TokenSuperseded,
        CloseCode::VisitorBlocked,
    ];

    /// The number on the wire.
    pub const fn code(self) -> u16 {
        match self {
            CloseCode::RemovedFromWorkspace => 4003,
            CloseCode::WorkspaceClosed => 4004,
            CloseCode::ConversationDeleted => 4410,
            CloseCode::SessionEnded => 4001,
            CloseCode::TokenSuperseded => 4011,
            CloseCode::VisitorBlocked => 4012,
        }
    }

    /// The close code with this number, if it is one of ours (1006 after a dropped connection
    /// is not: the client retries).
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_codes_are_pinned_and_all_listed() {
        // The numbers are wire contract: the e2e tests and deployed clients read them.
        assert_eq!(CloseCode::RemovedFromWorkspace.code(), 4003);
        assert_eq!(CloseCode::WorkspaceClosed.code(), 4004);
        assert_eq!(CloseCode::ConversationDeleted.code(), 4410);
        assert_eq!(CloseCode::SessionEnded.code(), 4001);
        assert_eq!(CloseCode::TokenSuperseded.code(), 4011);
        assert_eq!(CloseCode::VisitorBlocked.code(), 4012);
        // No wildcard: a new variant does not compile until it gets its place here, and ALL's
        // length then tells whether it was listed (the client stops only on codes in ALL).
        let place = |code: CloseCode| match code {
            CloseCode::RemovedFromWorkspace => 0,
            CloseCode::WorkspaceClosed => 1,
            CloseCode::ConversationDeleted => 2,
            CloseCode::SessionEnded => 3,
            CloseCode::TokenSuperseded => 4,
            CloseCode::VisitorBlocked => 5,
        };
        assert_eq!(CloseCode::ALL.len(), 6);
        for (i, code) in CloseCode::ALL.into_iter().enumerate() {
            assert_eq!(place(code), i);
            assert_eq!(CloseCode::from_code(code.code()), Some(code));
        }
        for ordinary in [1000, 1001, 1006, 1011, 4000, 4400] {
            assert_eq!(CloseCode::from_code(ordinary), None, "{ordinary} is retried");
        }
    }
}
