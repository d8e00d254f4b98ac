//! The chat panel: header, greeting, messages and composer, over one conversation socket.

use crate::bridge::{post_to_host, Embedding, ToHost};
use client::chat::Connection;
use client::components::{Composer, MessageList, Viewer};
use client::hooks::use_chat;
use shared::{api::VisitorSession, Author};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub session: VisitorSession,
    pub embedding: Embedding,
}

#[function_component(Panel)]
pub fn panel(props: &PanelProps) -> Html {
    let path = format!("/api/v1/sites/{}/connect?token={}", props.embedding.site, props.session.token);
    let chat = use_chat(path, Author::Visitor);
    let send = chat.send.clone();
    let chat = chat.state;
    let kept = use_mut_ref(|| false);
    use_effect_with((), |_| crate::bridge::focus("textarea"));
    let onsend = {
        let (host, token) = (props.embedding.host.clone(), props.session.token.clone());
        Callback::from(move |body: String| {
            send.emit(body);
            // The visitor started a chat: have the loader keep the token so they find the
            // conversation again on their next page.
            if !std::mem::replace(&mut *kept.borrow_mut(), true) {
                post_to_host(&host, ToHost::Token { token: &token });
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
    let onprivacy = {
        let host = props.embedding.host.clone();
        Callback::from(move |_: MouseEvent| post_to_host(&host, ToHost::View { view: "prefs" }))
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
                <div class="pvx-tools">
                    <button class="pvx-tool" onclick={onprivacy}>{ "Privacy choices" }</button>
                    <button class="pvx-close" aria-label="Close chat" title="Close chat" {onclick}>{ "×" }</button>
                </div>
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
