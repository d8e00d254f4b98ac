use client::chat::Connection;
use client::components::{Composer, MessageList, Viewer};
use client::hooks::use_chat;
use shared::{Author, ConversationId, SiteId};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConversationViewProps {
    pub site: SiteId,
    pub id: ConversationId,
    pub title: String,
    pub agent_name: String,
}

/// One conversation, live: its own socket, history replayed on connect, replies sent with the
/// same exactly-once delivery as the widget's.
#[function_component(ConversationView)]
pub fn conversation_view(props: &ConversationViewProps) -> Html {
    let path = format!("/api/v1/workspaces/{}/conversations/{}/connect", props.site, props.id);
    let chat = use_chat(path, Author::Agent { name: props.agent_name.clone() });
    let onsend = chat.send.clone();
    let chat = chat.state;
    html! {
        <section class="conversation-view" aria-label={format!("Conversation with {}", props.title)}>
            <header>
                <h2>{ &props.title }</h2>
                if chat.connection != Connection::Online {
                    <p class="status" role="status">{ "Connecting…" }</p>
                }
            </header>
            <MessageList lines={chat.lines.clone()} viewer={Viewer::Agent} />
            if let Some(notice) = &chat.notice {
                <p class="error" role="alert">{ notice }</p>
            }
            <Composer {onsend} placeholder="Write a reply…" />
        </section>
    }
}
