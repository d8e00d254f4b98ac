use client::chat::{ChatAction, ChatState, Connection};
use client::components::{Composer, MessageList, Viewer};
use client::socket::{socket_url, ChatSocket};
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
    let chat = use_reducer(ChatState::default);
    let socket = use_mut_ref(|| None::<ChatSocket>);
    {
        let (chat, socket) = (chat.dispatcher(), socket.clone());
        let path = format!("/api/v1/workspaces/{}/conversations/{}/connect", props.site, props.id);
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
        let (chat, socket, name) = (chat.dispatcher(), socket.clone(), props.agent_name.clone());
        Callback::from(move |body: String| {
            let client_id = client::new_client_id();
            chat.dispatch(ChatAction::Sent { client_id: client_id.clone(), body: body.clone(), author: Author::Agent { name: name.clone() } });
            if let Some(s) = socket.borrow().as_ref() {
                s.send(client_id, body);
            }
        })
    };
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
