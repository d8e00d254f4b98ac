//! `use_chat`: one conversation over one socket, for any component that shows one.

use crate::chat::{ChatAction, ChatState, TYPING_SHOWN_MS};
use crate::socket::{socket_url, ChatSocket};
use shared::{Author, ClientMsg};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// What a conversation view needs: the state, and ways to act on it.
#[derive(Clone, PartialEq)]
pub struct Chat {
    pub state: UseReducerHandle<ChatState>,
    /// Sends a message: shown at once, delivered exactly once.
    pub send: Callback<String>,
    /// Sends a private note (agents only), delivered like a message.
    pub send_note: Callback<String>,
    /// Sends a frame that is not a message: changes (contact, status, assignment, presence) wait
    /// for a reconnect, passing signals (typing, read) are dropped while the socket is down.
    pub frame: Callback<ClientMsg>,
}

/// Calls `f` after `ms` milliseconds.
pub fn after(ms: u32, f: impl FnOnce() + 'static) {
    let f = wasm_bindgen::closure::Closure::once_into_js(f);
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), ms as i32);
    }
}

/// Opens the conversation socket at `path` (closed again when the path changes or the component
/// goes away) and returns the conversation as `author` sees it.
#[hook]
pub fn use_chat(path: String, author: Author) -> Chat {
    let state = use_reducer(ChatState::default);
    let socket: Rc<RefCell<Option<ChatSocket>>> = use_mut_ref(|| None);
    {
        let (chat, socket) = (state.dispatcher(), socket.clone());
        use_effect_with(path, move |path| {
            let on_message = chat.clone();
            let s = ChatSocket::open(
                socket_url(path),
                Callback::from(move |msg| on_message.dispatch(ChatAction::Server(msg))),
                Callback::from(move |c| chat.dispatch(ChatAction::Connection(c))),
            );
            *socket.borrow_mut() = Some(s.clone());
            move || s.close()
        });
    }
    // A typing indicator clears itself unless a newer typing frame arrived meanwhile.
    {
        let chat = state.dispatcher();
        use_effect_with(state.typing.as_ref().map(|(_, n)| *n), move |n| {
            if let Some(n) = *n {
                after(TYPING_SHOWN_MS, move || chat.dispatch(ChatAction::TypingExpired(n)));
            }
        });
    }
    let sender = |note: bool| {
        let (chat, socket, author) = (state.dispatcher(), socket.clone(), author.clone());
        Callback::from(move |body: String| {
            let client_id = crate::new_client_id();
            chat.dispatch(ChatAction::Sent {
                client_id: client_id.clone(),
                body: body.clone(),
                author: author.clone(),
                note,
            });
            if let Some(s) = socket.borrow().as_ref() {
                s.send(client_id, body, note);
            }
        })
    };
    let frame = {
        let socket = socket.clone();
        Callback::from(move |msg: ClientMsg| {
            if let Some(s) = socket.borrow().as_ref() {
                s.frame(&msg);
            }
        })
    };
    Chat { send: sender(false), send_note: sender(true), frame, state }
}
