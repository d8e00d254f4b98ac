use super::{
    data_subject_forms::{CorrectForm, EraseConfirm},
    save_status::{Outcome, SaveStatus},
};
use crate::browser::{pretty_json, save_file, when};
use crate::data_requests::{export_file_name, object_choice, outcome, restrict_choice, subject_title};
use shared::privacy::{DataAction, DataSubject, Erased};
use shared::{SiteId, VisitorId};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DataSubjectCardProps {
    pub site: SiteId,
    pub subject: DataSubject,
    /// The visitor as the edge answered an action (corrected, restricted, objected).
    pub onupdated: Callback<DataSubject>,
    /// Everything about the visitor is gone; the card goes with them.
    pub onerased: Callback<(VisitorId, Erased)>,
    /// An action the history records happened (every one does, an export included).
    pub onrecorded: Callback<()>,
}

/// What the card shows below the visitor's details.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Actions,
    Correcting,
    ConfirmingErase,
}

/// One visitor found on the data requests page: what is held about them and which restrictions
/// apply, and the requests an owner or admin runs on their behalf. Every action is the edge's
/// `POST …/data-subjects/{visitor}` with a [`DataAction`], the same the visitor's own privacy menu
/// sends, so both sides are held to the same rules and land in the same history.
#[function_component(DataSubjectCard)]
pub fn data_subject_card(props: &DataSubjectCardProps) -> Html {
    let mode = use_state(|| Mode::Actions);
    let busy = use_state(|| false);
    let status = use_state(|| None::<Result<String, String>>);
    let s = &props.subject;
    let title = subject_title(s);
    let Some(visitor) = s.visitor_id.clone() else {
        // The edge finds visitors by id; one without is not something to act on.
        return html! {};
    };
    let run = {
        let (busy, status, mode) = (busy.clone(), status.clone(), mode.clone());
        let (onupdated, onerased, onrecorded) =
            (props.onupdated.clone(), props.onerased.clone(), props.onrecorded.clone());
        let (path, visitor) = (format!("/api/v1/workspaces/{}/data-subjects/{visitor}", props.site), visitor.clone());
        Callback::from(move |action: DataAction| {
            let (busy, status, mode) = (busy.clone(), status.clone(), mode.clone());
            let (onupdated, onerased, onrecorded) = (onupdated.clone(), onerased.clone(), onrecorded.clone());
            let (path, visitor) = (path.clone(), visitor.clone());
            busy.set(true);
            status.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let done: Outcome = match &action {
                    DataAction::Export => Some(download(&path, &visitor).await),
                    DataAction::Erase => {
                        match client::http::post_json(&path, &action, Erased::from_json).await {
                            // The page says what was erased; this card is gone with the visitor.
                            Ok(erased) => return onerased.emit((visitor, erased)),
                            Err(e) => Some(Err(e.message)),
                        }
                    }
                    _ => match client::http::post_json(&path, &action, DataSubject::from_json).await {
                        Ok(subject) => {
                            onupdated.emit(subject);
                            mode.set(Mode::Actions);
                            Some(Ok(outcome(&action).to_owned()))
                        }
                        Err(e) => Some(Err(e.message)),
                    },
                };
                if matches!(done, Some(Ok(_))) {
                    onrecorded.emit(());
                }
                status.set(done);
                busy.set(false);
            });
        })
    };
    let act = |action: DataAction| run.reform(move |_: MouseEvent| action.clone());
    let show = |next: Mode| {
        let (mode, status) = (mode.clone(), status.clone());
        Callback::from(move |_| {
            status.set(None);
            mode.set(next);
        })
    };
    let id = AttrValue::from(visitor.to_string());
    let heading = format!("subject-{id}");
    html! {
        <article class="card subject" aria-labelledby={heading.clone()}>
            <header class="subject-head">
                <h3 id={heading}>{ &title }</h3>
                if s.restricted || s.objected {
                    <ul class="flags" aria-label="Requests in force">
                        if s.restricted { <li class="flag">{ "Processing restricted" }</li> }
                        if s.objected { <li class="flag">{ "Objected to analytics" }</li> }
                    </ul>
                }
            </header>
            <dl class="subject-facts">
                <div><dt>{ "Email" }</dt><dd>{ s.email.as_ref().map_or_else(|| "Not given".to_owned(), |e| e.to_string()) }</dd></div>
                <div><dt>{ "Visitor ID" }</dt><dd><code>{ id.clone() }</code></dd></div>
                if let Some(user) = &s.user_id {
                    <div><dt>{ "Verified user ID" }</dt><dd><code>{ user }</code></dd></div>
                }
                <div><dt>{ "First seen" }</dt><dd>{ seen(s.first_seen) }</dd></div>
                <div><dt>{ "Last seen" }</dt><dd>{ seen(s.last_seen) }</dd></div>
                <div><dt>{ "Conversations" }</dt><dd>{ s.conversations }</dd></div>
                <div><dt>{ "Pages visited" }</dt><dd>{ s.pages }</dd></div>
                <div><dt>{ "Consent decisions" }</dt><dd>{ s.consents }</dd></div>
            </dl>
            { match *mode {
                Mode::Correcting => html! {
                    <CorrectForm id={id.clone()} subject={s.clone()} busy={*busy} onsave={run.clone()} oncancel={show(Mode::Actions)} />
                },
                Mode::ConfirmingErase => html! {
                    <EraseConfirm id={id.clone()} title={title.clone()} conversations={s.conversations} busy={*busy}
                        onconfirm={run.reform(|()| DataAction::Erase)} oncancel={show(Mode::Actions)} />
                },
                Mode::Actions => html! {
                    <ul class="subject-actions">
                        { action(&id, "export", ("Download data", "Everything held about them as a JSON file, private notes included."),
                            act(DataAction::Export), *busy, false) }
                        { action(&id, "correct", ("Correct details", "Fix their name or email."), show(Mode::Correcting), *busy, false) }
                        { action(&id, "restrict", restrict_choice(s.restricted), act(DataAction::Restrict { on: !s.restricted }), *busy, false) }
                        { action(&id, "object", object_choice(s.objected), act(DataAction::Object { on: !s.objected }), *busy, false) }
                        { action(&id, "erase", ("Erase all data", "Delete everything held about them, for good."),
                            show(Mode::ConfirmingErase), *busy, true) }
                    </ul>
                },
            } }
            <SaveStatus status={(*status).clone()} />
        </article>
    }
}

/// One request: its button and, beside it, what it does.
fn action(
    id: &str,
    key: &str,
    (label, hint): (&str, &str),
    onclick: Callback<MouseEvent>,
    busy: bool,
    danger: bool,
) -> Html {
    let hint_id = format!("{key}-{id}-hint");
    html! {
        <li>
            <button type="button" class={classes!("secondary", danger.then_some("danger"))} disabled={busy}
                aria-describedby={hint_id.clone()} {onclick}>{ label }</button>
            <p class="hint" id={hint_id}>{ hint }</p>
        </li>
    }
}

fn seen(at: i64) -> String {
    if at > 0 {
        when(at)
    } else {
        "—".to_owned()
    }
}

/// Asks for the visitor's export and saves it as `data-{visitor}.json`. The answer is passed
/// through as it came (indented for reading): the file is the edge's, not this page's idea of it.
async fn download(path: &str, visitor: &VisitorId) -> Result<String, String> {
    let value = client::http::post_passing_through(path, &DataAction::Export).await.map_err(|e| e.message)?;
    let name = export_file_name(visitor);
    match pretty_json(&value).is_some_and(|text| save_file(&name, "application/json", &text)) {
        true => Ok(format!("Data downloaded as {name}")),
        false => Err("The browser did not save the file. Try again.".to_owned()),
    }
}
