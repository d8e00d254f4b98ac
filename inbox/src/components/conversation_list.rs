use super::{filters::Filters, notify::NotifySettings, search_box::SearchBox};
use crate::inbox_state::{text::ago, Filter, InboxAction, InboxContext};
use client::chat::Connection;
use shared::{api::SearchHit, Author, ConversationId, ConversationStatus, ConversationSummary, Email, SiteId};
use wasm_bindgen::{closure::Closure, JsCast};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConversationListProps {
    pub site: SiteId,
    /// The signed-in agent, for the "Mine" filter.
    pub me: Email,
    pub selected: Option<ConversationId>,
    pub onselect: Callback<ConversationId>,
    /// The inbox socket's state: the list is live only while it is online.
    pub connection: Connection,
}

/// How often the relative times ("5 min") are brought up to date, in ms.
const TICK_MS: i32 = 30_000;

/// The workspace's conversations, newest first, narrowed by a filter and a search; each one a
/// button naming the visitor, with the last message, its age, and how many visitor messages
/// nobody has read.
#[function_component(ConversationList)]
pub fn conversation_list(props: &ConversationListProps) -> Html {
    let Some(inbox) = use_context::<InboxContext>() else { return Html::default() };
    let now = use_now();
    let visible = inbox.visible(&props.me);
    let body = if !inbox.loaded {
        html! { <p class="empty" role="status">{ "Loading conversations…" }</p> }
    } else if inbox.conversations.is_empty() {
        html! { <p class="empty">{ "No conversations yet. They appear here the moment a visitor writes." }</p> }
    } else if visible.is_empty() {
        empty(&inbox, &props.me)
    } else {
        html! {
            <ul class="conversations" aria-label="Conversations">
                { for visible.iter().map(|(c, hit)| {
                    let current = props.selected.as_ref() == Some(&c.id);
                    item(c, *hit, current, now, &props.onselect)
                }) }
            </ul>
        }
    };
    html! {
        <section class="list-pane" aria-labelledby="conversations-heading">
            <header>
                <h1 id="conversations-heading">{ "Conversations" }</h1>
                <SearchBox site={props.site.clone()} />
                <Filters />
                { match props.connection {
                    Connection::Online => html! {},
                    Connection::Connecting => html! { <p class="status" role="status">{ "Connecting…" }</p> },
                    Connection::Reconnecting => html! { <p class="status" role="status">{ "Reconnecting…" }</p> },
                    Connection::Ended => html! { <p class="status" role="status">{ "You no longer have access to this workspace." }</p> },
                } }
            </header>
            <div class="list-body">{ body }</div>
            <footer><NotifySettings /></footer>
        </section>
    }
}

/// Why the list is empty, and a way out when a search matched conversations the filter hides.
fn empty(inbox: &InboxContext, me: &Email) -> Html {
    let hidden = inbox.hidden_matches(me);
    let text = match (inbox.hits.is_some(), inbox.filter) {
        (true, _) => format!("Nothing matches “{}” here.", inbox.query),
        (false, Filter::Mine) => "Nothing is assigned to you.".to_owned(),
        (false, Filter::Unassigned) => "Every conversation has someone on it.".to_owned(),
        (false, filter) => format!("No {} conversations.", filter.label().to_lowercase()),
    };
    let onall = {
        let inbox = inbox.clone();
        Callback::from(move |_: MouseEvent| inbox.dispatch(InboxAction::Filter(Filter::All)))
    };
    html! {
        <div class="empty">
            <p>{ text }</p>
            if hidden > 0 && inbox.filter != Filter::All {
                <button type="button" class="secondary" onclick={onall}>{ "Show matches in all conversations" }</button>
            }
        </div>
    }
}

fn item(
    c: &ConversationSummary,
    hit: Option<&SearchHit>,
    current: bool,
    now: i64,
    onselect: &Callback<ConversationId>,
) -> Html {
    let onclick = {
        let (id, onselect) = (c.id.clone(), onselect.clone());
        Callback::from(move |_: MouseEvent| onselect.emit(id.clone()))
    };
    let prefix = match &c.last_author {
        Author::Agent { name } => format!("{name}: "),
        Author::Visitor => String::new(),
    };
    // While searching, the matching message says why the conversation is listed.
    let preview = match hit.filter(|h| !h.snippet.is_empty()) {
        Some(h) => h.snippet.clone(),
        None => format!("{prefix}{}", c.last_message),
    };
    let when = ago(now, c.last_at).unwrap_or_else(|| client::day(c.last_at));
    let meta_id = format!("meta-{}", c.id);
    let status = c.status.label();
    let status_class = match c.status {
        ConversationStatus::Open => "open",
        ConversationStatus::Pending => "pending",
        ConversationStatus::Resolved => "resolved",
    };
    let assignee = c.assignee.as_ref().map_or("Unassigned".to_owned(), |a| a.name.clone());
    html! {
        <li key={c.id.as_str().to_owned()}>
            <button type="button" class={classes!("conversation", current.then_some("current"), (c.unread > 0).then_some("unread"))}
                aria-current={current.then_some("true")} aria-describedby={meta_id.clone()} {onclick}>
                // The spaces between parts are for the accessible name ("Ana, 5 min", not "Ana5 min");
                // the flex rows ignore them visually.
                <span class="row">
                    <span class="who">{ &c.visitor_name }</span>{ " " }
                    <time datetime={iso(c.last_at)} title={format!("{}, {}", client::day(c.last_at), client::clock(c.last_at))}>{ when }</time>{ " " }
                </span>
                <span class="row">
                    <span class="preview">{ preview }</span>{ " " }
                    if c.unread > 0 {
                        <span class="badge">{ format!("{} unread", c.unread) }</span>
                    }
                </span>
                // Status and assignee are the button's description, not its name, so the name
                // stays "visitor, message" and never reads like a filter button's.
                <span class="row meta" id={meta_id} aria-hidden="true">
                    <span class={classes!("pill", status_class)}>{ status }</span>
                    <span class={classes!("assignee", c.assignee.is_none().then_some("none"))}>{ assignee }</span>
                </span>
            </button>
        </li>
    }
}

fn iso(at: i64) -> String {
    String::from(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at as f64)).to_iso_string())
}

/// The current time in ms, refreshed every [`TICK_MS`] so relative times do not go stale.
#[hook]
fn use_now() -> i64 {
    let now = use_state(|| js_sys::Date::now() as i64);
    {
        let now = now.clone();
        use_effect_with((), move |_| {
            let tick = Closure::<dyn Fn()>::new(move || now.set(js_sys::Date::now() as i64));
            let window = web_sys::window();
            let handle = window.as_ref().and_then(|w| {
                w.set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), TICK_MS).ok()
            });
            move || {
                if let (Some(w), Some(h)) = (window, handle) {
                    w.clear_interval_with_handle(h);
                }
                drop(tick);
            }
        });
    }
    *now
}
