//! Alerts for a new visitor message while the agent is in another tab or window: a desktop
//! notification (if the agent allowed them) and a short beep (if they turned the sound on).
//! While the inbox is in view the live list is alert enough, so nothing fires then.

use shared::{ConversationId, ConversationSummary};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AudioContext, Notification, NotificationOptions, NotificationPermission, OscillatorType};
use yew::prelude::*;

/// Where the sound choice is kept, per browser: it is the agent's own preference, not data
/// about a visitor.
const SOUND_KEY: &str = "provixchat.inbox.sound";

thread_local! {
    /// One audio context for the page: browsers limit how many may exist, and one created
    /// while the agent clicks (see [`NotifySettings`]) is allowed to play later.
    static AUDIO: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
}

/// The browser's local storage, for the agent's own preferences.
pub fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn sound_on() -> bool {
    storage().and_then(|s| s.get_item(SOUND_KEY).ok().flatten()).as_deref() == Some("on")
}

fn set_sound(on: bool) {
    if let Some(s) = storage() {
        let _ = s.set_item(SOUND_KEY, if on { "on" } else { "off" });
    }
}

/// Whether the agent is looking elsewhere (another tab, a minimised window).
pub fn page_hidden() -> bool {
    web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden())
}

/// `None` where the browser has no notifications at all (reading the permission would throw).
fn permission() -> Option<NotificationPermission> {
    let window = web_sys::window()?;
    js_sys::Reflect::has(&window, &"Notification".into()).ok()?.then(Notification::permission)
}

/// Tells the agent about a new visitor message if the inbox is not in view. Clicking the
/// notification brings the inbox forward with that conversation open.
pub fn alert(conversation: &ConversationSummary, onopen: Callback<ConversationId>) {
    if !page_hidden() {
        return;
    }
    if permission() == Some(NotificationPermission::Granted) {
        notify(conversation, onopen);
    }
    if sound_on() {
        let _ = beep();
    }
}

fn notify(c: &ConversationSummary, onopen: Callback<ConversationId>) {
    let options = NotificationOptions::new();
    options.set_body("New message in your Provixchat inbox");
    // One notification per conversation: a second message replaces the first instead of piling up.
    options.set_tag(c.id.as_str());
    let title = format!("{}: {}", c.visitor_name, c.last_message);
    let Ok(notification) = Notification::new_with_options(&title, &options) else { return };
    let (id, shown) = (c.id.clone(), notification.clone());
    // Called at most once; a notification that is never clicked keeps this small closure alive,
    // which is cheaper than tracking every notification to free it.
    let onclick = wasm_bindgen::closure::Closure::once_into_js(move || {
        if let Some(w) = web_sys::window() {
            let _ = w.focus();
        }
        shown.close();
        onopen.emit(id);
    });
    notification.set_onclick(Some(onclick.unchecked_ref()));
}

/// A soft two-note chime, synthesised so the inbox ships no audio file.
fn beep() -> Result<(), JsValue> {
    let ctx = AUDIO.with(|audio| -> Result<AudioContext, JsValue> {
        let mut audio = audio.borrow_mut();
        if audio.is_none() {
            *audio = Some(AudioContext::new()?);
        }
        audio.clone().ok_or(JsValue::NULL)
    })?;
    // A context made before the agent interacted starts suspended; this is a no-op otherwise.
    let _ = ctx.resume();
    let start = ctx.current_time();
    for (i, hz) in [880.0, 1320.0].into_iter().enumerate() {
        let at = start + i as f64 * 0.12;
        let osc = ctx.create_oscillator()?;
        osc.set_type(OscillatorType::Sine);
        osc.frequency().set_value(hz);
        let gain = ctx.create_gain()?;
        // Ramp in and out: a tone that starts or stops at full volume clicks.
        gain.gain().set_value_at_time(0.0001, at)?;
        gain.gain().exponential_ramp_to_value_at_time(0.15, at + 0.02)?;
        gain.gain().exponential_ramp_to_value_at_time(0.0001, at + 0.2)?;
        osc.connect_with_audio_node(&gain)?;
        gain.connect_with_audio_node(&ctx.destination())?;
        osc.start_with_when(at)?;
        osc.stop_with_when(at + 0.22)?;
    }
    Ok(())
}

/// The agent's alert choices: the sound checkbox, and a button asking for desktop
/// notifications while the browser has not asked yet (after that, the browser's own site
/// settings are where the answer changes).
#[function_component(NotifySettings)]
pub fn notify_settings() -> Html {
    let sound = use_state(sound_on);
    let asked = use_state(permission);
    let ontoggle = {
        let sound = sound.clone();
        Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<web_sys::HtmlInputElement>().checked();
            set_sound(on);
            sound.set(on);
            if on {
                // A sample now, inside the click, so the agent hears what it sounds like and
                // the browser lets the page play it later.
                let _ = beep();
            }
        })
    };
    let onenable = {
        let asked = asked.clone();
        Callback::from(move |_: MouseEvent| {
            let Ok(promise) = Notification::request_permission() else { return };
            let asked = asked.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
                asked.set(permission());
            });
        })
    };
    html! {
        <div class="alerts">
            if *asked == Some(NotificationPermission::Default) {
                <button type="button" class="secondary" onclick={onenable}>{ "Enable desktop notifications" }</button>
            }
            if *asked == Some(NotificationPermission::Denied) {
                <p class="hint">{ "Desktop notifications are blocked in this browser's site settings." }</p>
            }
            <label class="check">
                <input type="checkbox" checked={*sound} onchange={ontoggle} />
                { "Sound for new messages" }
            </label>
        </div>
    }
}
