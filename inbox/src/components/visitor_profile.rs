use super::show_more::ShowMore;
use crate::browser::when;
use crate::visitor_text::{
    age, attribute_text, consent_method, consent_summary, contact_change, device_line, edited_by, location_line,
    screen_label, short_url,
};
use shared::consent::Category;
use shared::visitor::{PageView, VisitorProfile};
use shared::{ConversationId, ConversationSummary};
use yew::prelude::*;

/// Pages shown before "Show all": enough for the path that led to the chat.
const PAGES_SHOWN: usize = 10;
const CONVERSATIONS_SHOWN: usize = 5;
const CHANGES_SHOWN: usize = 3;
const CONSENTS_SHOWN: usize = 3;

#[derive(Properties, PartialEq)]
pub struct VisitorProfileViewProps {
    pub profile: VisitorProfile,
    /// The conversation open beside the pane, marked in the visitor's list.
    pub current: ConversationId,
    /// Opens another of the visitor's conversations in the inbox.
    pub onopen: Callback<ConversationId>,
}

/// Everything the edge holds about a visitor, below the contact details: where and on what they
/// are, what they did on the site, what they set and allowed, their other conversations and who
/// changed their details. Facts first, histories after, each history cut to its newest items.
#[function_component(VisitorProfileView)]
pub fn visitor_profile_view(props: &VisitorProfileViewProps) -> Html {
    let p = &props.profile;
    html! {
        <div class="profile">
            { requests(p) }
            { facts(p) }
            <section class="profile-section" aria-labelledby="profile-pages">
                <h3 id="profile-pages">{ "Pages visited" }{ count(p.pages.len()) }</h3>
                if p.pages.is_empty() {
                    <p class="muted">{ match (p.objected, analytics_allowed(p)) {
                        (true, _) => "No page activity (objected to analytics)",
                        (false, true) => "No page activity yet",
                        (false, false) => "No page activity (analytics not allowed)",
                    } }</p>
                } else {
                    <ShowMore limit={PAGES_SHOWN} class="timeline" label="Pages visited">
                        { for p.pages.iter().map(page) }
                    </ShowMore>
                }
            </section>
            <section class="profile-section" aria-labelledby="profile-attributes">
                <h3 id="profile-attributes">{ "Attributes" }{ count(p.attributes.len()) }</h3>
                if p.attributes.is_empty() {
                    <p class="muted">{ "None set by the site" }</p>
                } else {
                    <dl class="attributes">
                        { for p.attributes.iter().map(|(k, v)| html! { <div><dt>{ k }</dt><dd>{ attribute_text(v) }</dd></div> }) }
                    </dl>
                }
            </section>
            { consent(p) }
            <section class="profile-section" aria-labelledby="profile-conversations">
                <h3 id="profile-conversations">{ "Conversations" }{ count(p.conversations.len()) }</h3>
                <ShowMore limit={CONVERSATIONS_SHOWN} class="visitor-conversations" label="Conversations">
                    { for p.conversations.iter().map(|c| conversation(c, &props.current, &props.onopen)) }
                </ShowMore>
            </section>
            if !p.contact_edits.is_empty() {
                <section class="profile-section" aria-labelledby="profile-changes">
                    <h3 id="profile-changes">{ "Changes" }{ count(p.contact_edits.len()) }</h3>
                    // Newest first, like every other history here.
                    <ShowMore limit={CHANGES_SHOWN} class="history" label="Changes">
                        { for p.contact_edits.iter().rev().map(|e| html! {
                            <li>
                                <span>{ contact_change(e) }</span>
                                <span class="meta">{ format!("{} · ", edited_by(&e.by)) }{ stamp(e.at) }</span>
                            </li>
                        }) }
                    </ShowMore>
                </section>
            }
        </div>
    }
}

/// The visitor's data requests in force, first in the pane: an agent must know before reading
/// on (or asking for details) that nothing new is kept about this visitor.
fn requests(p: &VisitorProfile) -> Html {
    if !p.restricted && !p.objected {
        return html! {};
    }
    html! {
        <ul class="privacy-flags" aria-label="Data requests in force">
            if p.restricted {
                <li class="privacy-flag">{ "Processing restricted — nothing new is captured" }</li>
            }
            if p.objected {
                <li class="privacy-flag">{ "Objected to analytics" }</li>
            }
        </ul>
    }
}

/// The visitor's circumstances as label and value pairs, leaving out what is unknown.
fn facts(p: &VisitorProfile) -> Html {
    let context = p.context.as_ref();
    let rows: Vec<(&str, Option<String>)> = vec![
        (
            "User ID",
            p.identity.as_ref().map(|i| if i.verified { i.id.clone() } else { format!("{} (not verified)", i.id) }),
        ),
        ("Location", p.location.as_ref().and_then(location_line)),
        ("Device", p.device.as_ref().and_then(device_line)),
        ("Language", context.map(|c| c.language.clone()).filter(|l| !l.is_empty())),
        ("Time zone", context.map(|c| c.time_zone.clone()).filter(|z| !z.is_empty())),
        ("Screen", context.map(|c| screen_label(c.screen).to_owned())),
        ("IP address", p.ip.clone()),
        ("First seen", (p.first_seen > 0).then(|| when(p.first_seen))),
        ("Last seen", (p.last_seen > 0).then(|| when(p.last_seen))),
    ];
    html! {
        <dl class="facts">
            { for rows.into_iter().filter_map(|(label, value)| value.map(|v| html! { <div><dt>{ label }</dt><dd>{ v }</dd></div> })) }
        </dl>
    }
}

fn page(v: &PageView) -> Html {
    let address = short_url(&v.url);
    let title = v.title.trim();
    html! {
        <li>
            if !title.is_empty() {
                <span class="title" title={title.to_owned()}>{ title }</span>
            }
            // Opens in a new tab without telling the site who followed the link.
            <a class="url" href={v.url.clone()} target="_blank" rel="noopener noreferrer" title={address.clone()}>{ address }</a>
            <span class="meta">{ stamp(v.at) }</span>
        </li>
    }
}

/// The current decision as three labelled chips, then every decision, newest first.
fn consent(p: &VisitorProfile) -> Html {
    let latest = p.consents.last();
    html! {
        <section class="profile-section" aria-labelledby="profile-consent">
            <h3 id="profile-consent">{ "Consent" }</h3>
            { match latest {
                None => html! { <p class="muted">{ "No decision yet" }</p> },
                Some(r) => {
                    html! {
                        <>
                            <ul class="consent-now" aria-label="Current choices">
                                { for Category::ALL.into_iter().map(|c| {
                                    let on = r.decision.choices.get(c);
                                    // The mark is seen, the word is heard: "Marketing: refused".
                                    html! {
                                        <li class={classes!("chip", on.then_some("on"))}>
                                            <span aria-hidden="true">{ if on { "✓ " } else { "✕ " } }</span>
                                            { category_label(c) }
                                            <span class="visually-hidden">{ if on { ": allowed" } else { ": refused" } }</span>
                                        </li>
                                    }
                                }) }
                            </ul>
                            <p class="meta">{ format!("{} on {}{}", consent_method(r.decision.method), when(r.at),
                                if r.decision.gpc { " · with Global Privacy Control" } else { "" }) }</p>
                            if p.consents.len() > 1 {
                                <h4>{ "History" }</h4>
                                <ShowMore limit={CONSENTS_SHOWN} class="history" label="Consent history">
                                    { for p.consents.iter().rev().map(|r| html! {
                                        <li>
                                            <span>{ consent_summary(&r.decision.choices) }</span>
                                            <span class="meta">{ format!("{} · policy v{} · ", consent_method(r.decision.method), r.decision.policy_version) }
                                                { stamp(r.at) }</span>
                                        </li>
                                    }) }
                                </ShowMore>
                            }
                        </>
                    }
                }
            } }
        </section>
    }
}

fn category_label(c: Category) -> &'static str {
    match c {
        Category::Preferences => "Preferences",
        Category::Analytics => "Analytics",
        Category::Marketing => "Marketing",
    }
}

fn conversation(c: &ConversationSummary, current: &ConversationId, onopen: &Callback<ConversationId>) -> Html {
    let is_current = &c.id == current;
    let onclick = {
        let (onopen, id) = (onopen.clone(), c.id.clone());
        Callback::from(move |_: MouseEvent| onopen.emit(id.clone()))
    };
    let preview = if c.last_message.is_empty() { "No messages yet".to_owned() } else { c.last_message.clone() };
    html! {
        <li>
            <button type="button" class={classes!("visitor-conversation", is_current.then_some("current"))}
                aria-current={is_current.then_some("true")} {onclick}>
                <span class="line">
                    <span class={classes!("pill", c.status.label().to_lowercase())}>{ c.status.label() }</span>
                    if c.last_at > 0 { <span class="meta">{ stamp(c.last_at) }</span> }
                </span>
                <span class="preview">{ preview }</span>
                if is_current {
                    <span class="meta">{ "Open now" }</span>
                }
            </button>
        </li>
    }
}

/// A time in a history: how long ago while recent, the date after; the exact time on hover.
fn stamp(at: i64) -> Html {
    let exact = when(at);
    let shown = age(js_sys::Date::now() as i64, at).unwrap_or_else(|| exact.clone());
    html! { <time title={exact}>{ shown }</time> }
}

/// Whether the visitor's latest decision allows analytics: page activity is recorded only then.
fn analytics_allowed(p: &VisitorProfile) -> bool {
    p.consents.last().is_some_and(|r| r.decision.choices.analytics)
}

fn count(n: usize) -> Html {
    if n == 0 {
        html! {}
    } else {
        html! { <span class="count">{ format!(" {n}") }</span> }
    }
}
