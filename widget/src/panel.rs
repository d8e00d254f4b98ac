//! The chat panel: header, greeting, messages and composer, over one conversation socket.

use crate::bridge::{post_to_host, Embedding, ToHost};
use client::chat::{ChatAction, ChatState, Connection};
use client::components::{Composer, MessageList, Viewer};
use client::socket::{socket_url, ChatSocket};
use shared::{api::VisitorSession, Author};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub session: VisitorSession,
    pub embedding: Embedding,
}

#[function_component(Panel)]
pub fn panel(props: &PanelProps) -> Html {
    let chat = use_reducer(ChatState::default);
    let socket = use_mut_ref(|| None::<ChatSocket>);
    {
        let (chat, socket) = (chat.dispatcher(), socket.clone());
        let path = format!("/api/v1/sites/{}/connect?token={}", props.embedding.site, props.session.token);
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
    let onsend = {
        let (chat, socket) = (chat.dispatcher(), socket.clone());
        let (host, token) = (props.embedding.host.clone(), props.session.token.clone());
        let kept = use_mut_ref(|| false);
        Callback::from(move |body: String| {
            let client_id = client::new_client_id();
            chat.dispatch(ChatAction::Sent { client_id: client_id.clone(), body: body.clone(), author: Author::Visitor });
            if let Some(s) = socket.borrow().as_ref() {
                s.send(client_id, body);
            }
            // The visitor started a chat: have the loader keep the token so they find the
            // conversation again on their next page.
            if !std::mem::replace(&mut *kept.borrow_mut(), true) {
                post_to_host(&host, ToHost::Token(&token));
            }
        })
    };
    let close = {
        let host = props.embedding.host.clone();
        move || post_to_host(&host, ToHost::Close)
    };
    let onclick = {
        let close = close.clone();
        Callback::from(move |_: MouseEvent| close())
    };
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Escape" {
            close();
        }
    });
    let status = match chat.connection {
        Connection::Online => "Online",
        Connection::Connecting => "Connecting…",
        Connection::Reconnecting => "Reconnecting…",
    };
    let name = &props.session.site_name;
    html! {
        <section class="pvx-panel" aria-label={format!("Chat with {name}")} {onkeydown}>
            <header class="pvx-header">
                <div>
                    <h1>{ name }</h1>
                    <p class="pvx-presence" role="status">{ status }</p>
                </div>
                <button class="pvx-close" aria-label="Close chat" title="Close chat" {onclick}>{ "×" }</button>
            </header>
            if chat.lines.is_empty() {
                <p class="pvx-greeting">{ &props.session.greeting }</p>
            }
            <MessageList lines={chat.lines.clone()} viewer={Viewer::Visitor} />
            if let Some(notice) = &chat.notice {
                <p class="pvx-error" role="alert">{ notice }</p>
            }
            <Composer {onsend} />
        </section>
    }
}
