//! Texts the page asked the widget to send as the visitor (`Provixchat.sendMessage`), held until a
//! chat is connected enough to take them (its socket queues them until the welcome).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Shared by the root (which fills it) and the chat panel (which empties it). Copies compare by
/// how many texts had arrived when they were taken, so a panel holding a [`Outbox::snapshot`]
/// renders again when another text arrives.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    texts: Rc<RefCell<Vec<String>>>,
    received: Rc<Cell<u32>>,
    at: u32,
}

impl PartialEq for Outbox {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.texts, &other.texts) && self.at == other.at
    }
}

impl Outbox {
    pub fn push(&self, text: String) {
        self.texts.borrow_mut().push(text);
        self.received.set(self.received.get() + 1);
    }

    /// This outbox as it is now.
    pub fn snapshot(&self) -> Self {
        Self { at: self.received.get(), ..self.clone() }
    }

    /// Everything waiting, oldest first; the outbox is empty afterwards.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.texts.borrow_mut())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hands_over_each_text_once_and_in_order() {
        let outbox = Outbox::default();
        let before = outbox.snapshot();
        outbox.push("one".into());
        outbox.push("two".into());
        let after = outbox.snapshot();
        assert_ne!(before, after, "a holder of the earlier copy renders again");
        assert_eq!(after.take(), ["one", "two"]);
        assert_eq!(outbox.take(), Vec::<String>::new());
        assert_eq!(after, outbox.snapshot());
    }
}
