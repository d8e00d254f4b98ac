//! `use_chat`: one conversation over one socket, for any component that shows one.

use crate::chat::{ChatAction, ChatState};
use crate::socket::{socket_url, ChatSocket};
use shared::Author;
use yew::prelude::*;

/// Opens the conversation socket at `path` (closed again when the path changes or the component
/// goes away) and returns the conversation's state and a callback that sends a message as
/// `author`: shown at once, delivered exactly once.
#[hook]
pub fn use_chat(path: String, author: Author) -> (UseReducerHandle<ChatState>, Callback<String>) {
    let chat = use_reducer(ChatState::default);
    let socket = use_mut_ref(|| None::<ChatSocket>);
    {
        let (chat, socket) = (chat.dispatcher(), socket.clone());
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
    let send = {
        let chat = chat.dispatcher();
        Callback::from(move |body: String| {
            let client_id = crate::new_client_id();
            chat.dispatch(ChatAction::Sent { client_id: client_id.clone(), body: body.clone(), author: author.clone() });
            if let Some(s) = socket.borrow().as_ref() {
                s.send(client_id, body);
            }
        })
    };
    (chat, send)
}
