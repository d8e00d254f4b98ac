use super::{consent_log::ConsentLog, conversation_list::ConversationList, conversation_view::ConversationView};
use crate::inbox_state::InboxState;
use client::chat::Connection;
use client::socket::{socket_url, ChatSocket};
use shared::{api::Me, ConversationId};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct InboxProps {
    pub me: Me,
    pub onsignedout: Callback<()>,
}

/// The signed-in page: the workspace's live conversation list beside the open conversation.
#[function_component(Inbox)]
pub fn inbox(props: &InboxProps) -> Html {
    let state = use_reducer(InboxState::default);
    let online = use_state(|| false);
    let selected = use_state(|| None::<ConversationId>);
    let showing_consent = use_state(|| false);
    let workspace = props.me.workspaces.first().cloned();
    {
        let (state, online) = (state.dispatcher(), online.clone());
        use_effect_with(workspace.clone(), move |workspace| {
            let socket = workspace.as_ref().map(|w| {
                ChatSocket::open(
                    socket_url(&format!("/api/v1/workspaces/{}/connect", w.id)),
                    Callback::from(move |msg| state.dispatch(msg)),
                    Callback::from(move |c| online.set(c == Connection::Online)),
                )
            });
            move || {
                if let Some(s) = socket {
                    s.close();
                }
            }
        });
    }
    let onselect = {
        let (selected, showing_consent) = (selected.clone(), showing_consent.clone());
        Callback::from(move |id| {
            selected.set(Some(id));
            showing_consent.set(false);
        })
    };
    let onconsent = {
        let showing_consent = showing_consent.clone();
        Callback::from(move |_: MouseEvent| showing_consent.set(!*showing_consent))
    };
    let onsignout = {
        let onsignedout = props.onsignedout.clone();
        Callback::from(move |_: MouseEvent| {
            let onsignedout = onsignedout.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = client::http::post::<_, serde_json::Value>("/api/v1/auth/sign-out", &()).await;
                onsignedout.emit(());
            });
        })
    };
    let Some(workspace) = workspace else {
        return html! { <main class="center"><p>{ "Your account does not belong to any workspace yet." }</p></main> };
    };
    let current = (*selected).as_ref().and_then(|id| state.conversations.iter().find(|c| &c.id == id));
    html! {
        <div class="inbox">
            <header class="topbar">
                <strong>{ "Provixchat" }</strong>
                <span class="workspace">{ &workspace.name }</span>
                <button class="link" aria-pressed={showing_consent.to_string()} onclick={onconsent}>{ "Consent log" }</button>
                <span class="me">{ &props.me.name }</span>
                <button onclick={onsignout}>{ "Sign out" }</button>
            </header>
            <nav class="sidebar" aria-label="Inbox">
                <h1>{ "Conversations" }</h1>
                if !*online {
                    <p class="status" role="status">{ "Reconnecting…" }</p>
                }
                <ConversationList conversations={state.conversations.clone()} loaded={state.loaded}
                    selected={(*selected).clone()} {onselect} />
            </nav>
            <main class="main">
                { match current {
                    _ if *showing_consent => html! { <ConsentLog workspace={workspace.clone()} /> },
                    Some(c) => html! {
                        <ConversationView key={c.id.as_str().to_owned()} site={workspace.id.clone()} id={c.id.clone()}
                            title={c.visitor_name.clone()} agent_name={props.me.name.clone()} />
                    },
                    None => html! { <p class="empty">{ "Select a conversation to read and reply." }</p> },
                } }
            </main>
        </div>
    }
}
