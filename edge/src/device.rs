//! What a user agent string says about the browser, system and device: the browser and its major
//! version, the system, and a category (`pc`, `smartphone`, `mobilephone`, `appliance`, `crawler`,
//! `misc`), for the session list, the security log and a visitor's profile.
//!
//! Read by matching plain tokens ("Edg/", "Android", "Mac OS X") from small tables, in the order and
//! with the names of Woothee (the shared project whose test data many parsers use; this module
//! was built on its Rust crate until issue 13). The crate compiled forty regular expressions, and
//! with them the `regex` engine and its Unicode tables: 326 KB of the edge worker's 1,062 KB gzip,
//! for a line of text nobody has to trust. Every pattern it needed is a fixed token, a number after
//! a token or a prefix, so substring tests do the same job; the names stay Woothee's, so labels
//! stored before ("Chrome 131 on Windows 10") still match and a known device is not reported as
//! new. On Woothee's own test set (251 strings) the answers are the
//! same but for the model names of Japanese feature phones (not kept: "docomo", not "docomo
//! SH902i"), an Xbox's browser (named as such: "Internet Explorer 10" on "Xbox One", where Woothee
//! says "Xbox One 10") and the Safari version of a BlackBerry 10, which Woothee drops.
//!
//! User-Agent Client Hints (`Sec-CH-UA`, `-Mobile`, `-Platform`) are not read: only Chromium sends
//! them, only over HTTPS, and its reduced user agent string still carries the same three facts
//! (major version, platform, "Mobile"), so they would be a second way to the same answer.
//!
//! Each table is a few dozen substring searches, so the work grows with the string's length only,
//! and nothing is allocated but the answer (and a lower-case copy for strings no table knows).

#[cfg(test)]
mod tests;

/// Longest browser, system or category name kept: the user agent is whatever the client says,
/// and version numbers are copied out of it as they are ("Chrome/999…9").
pub const MAX_DEVICE_CHARS: usize = 40;

/// The parts of a user agent worth showing: no version beyond the browser's major one. A part
/// the string does not tell is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub browser: String,
    pub os: String,
    /// `pc`, `smartphone`, `mobilephone`, `appliance`, `crawler` or `misc`.
    pub category: String,
}

impl Device {
    /// `None` when the string names nothing at all (empty, "-", garbage).
    pub fn parse(user_agent: &str) -> Option<Device> {
        let found = identify(user_agent)?;
        let major = found.version.and_then(|v| v.split('.').next()).unwrap_or_default();
        let browser = match (found.browser, major) {
            (name, "") => name.to_owned(),
            (name, major) => format!("{name} {major}"),
        };
        let capped = |s: &str| s.chars().take(MAX_DEVICE_CHARS).collect();
        Some(Device { browser: capped(&browser), os: capped(found.os), category: capped(found.category) })
    }

    /// "Chrome 156 on Linux", as a session list shows it.
    pub fn label(user_agent: &str) -> String {
        match Device::parse(user_agent) {
            Some(d) if !d.browser.is_empty() => {
                let os = if d.os.is_empty() { "an unknown system" } else { d.os.as_str() };
                format!("{} on {os}", d.browser)
            }
            _ => "Unknown browser".to_owned(),
        }
    }
}

const PC: &str = "pc";
const SMARTPHONE: &str = "smartphone";
const MOBILEPHONE: &str = "mobilephone";
const APPLIANCE: &str = "appliance";
const CRAWLER: &str = "crawler";
const MISC: &str = "misc";

/// What the tables found; `""` where they found nothing.
#[derive(Debug, Default)]
struct Found<'a> {
    browser: &'static str,
    version: Option<&'a str>,
    os: &'static str,
    category: &'static str,
}

/// Woothee's order: crawlers (they copy browsers' strings), browsers and then their system,
/// feature phones, appliances, desktop tools, a system alone, and last the generic guesses.
fn identify(ua: &str) -> Option<Found<'_>> {
    if ua.is_empty() || ua == "-" {
        return None;
    }
    if let Some(name) = first_token(ua, CRAWLERS) {
        return Some(Found { browser: name, category: CRAWLER, ..Found::default() });
    }
    if let Some((browser, version)) = browser(ua) {
        let (os, category) = system(ua, browser).unwrap_or_default();
        return Some(Found { browser, version, os, category });
    }
    for &(tokens, name, os, category) in PHONES_AND_APPLIANCES {
        if tokens.iter().any(|t| ua.contains(t)) {
            return Some(Found { browser: name, os, category, ..Found::default() });
        }
    }
    if let Some(name) = first_token(ua, DESKTOP_TOOLS) {
        return Some(Found { browser: name, category: MISC, ..Found::default() });
    }
    if let Some((os, category)) = system(ua, "") {
        return Some(Found { os, category, ..Found::default() });
    }
    if ua.contains("Sleipnir/") {
        let version = version_after(ua, "Sleipnir/");
        return Some(Found { browser: "Sleipnir", version, os: "Windows UNKNOWN Ver", category: PC });
    }
    if let Some(library) = http_library(ua) {
        return Some(Found { browser: "HTTP Library", version: Some(library), category: MISC, ..Found::default() });
    }
    let lower = ua.to_ascii_lowercase();
    if maybe_rss_reader(&lower) || ua.contains("cococ/") {
        return Some(Found { browser: "RSSReader", category: MISC, ..Found::default() });
    }
    if maybe_crawler(ua, &lower) {
        return Some(Found { browser: "misc crawler", category: CRAWLER, ..Found::default() });
    }
    None
}

/// Crawlers that name themselves: (token, name), the more specific first.
const CRAWLERS: &[(&str, &str)] = &[
    ("compatible; Googlebot-Mobile", "Googlebot Mobile"),
    ("compatible; Googlebot", "Googlebot"),
    ("compatible; AdsBot-Google-Mobile;", "AdsBot-Google-Mobile"),
    ("AdsBot-Google", "AdsBot-Google"),
    ("Googlebot-Image/", "Googlebot"),
    ("Mediapartners-Google", "Google Mediapartners"),
    ("Feedfetcher-Google;", "Google Feedfetcher"),
    ("AppEngine-Google", "Google AppEngine"),
    ("Google Web Preview", "Google Web Preview"),
    ("compatible; Yahoo! Slurp", "Yahoo! Slurp"),
    ("YahooFeedSeeker", "Yahoo! Japan"),
    ("crawler (http://listing.yahoo.co.jp/support/faq/", "Yahoo! Japan"),
    ("crawler (http://help.yahoo.co.jp/help/jp/", "Yahoo! Japan"),
    ("Y!J-BRZ/YATSHA crawler", "Yahoo! Japan"),
    ("Y!J-BRY/YATSH crawler", "Yahoo! Japan"),
    ("Yahoo Pipes", "Yahoo! Pipes"),
    ("msnbot", "msnbot"),
    ("compatible; bingbot", "bingbot"),
    ("BingPreview", "BingPreview"),
    ("Baiduspider", "Baiduspider"),
    ("http://help.naver.com/robots", "Naver Yeti"),
    ("http://help.naver.com/support/robots.html", "Naver Yeti"),
    ("Yeti/1.1; +http://naver.me/bot", "Naver Yeti"),
    ("FeedBurner/", "Google FeedBurner"),
    ("facebookexternalhit", "facebook"),
    ("Twitterbot/", "twitter"),
    ("http://help.goo.ne.jp/door/crawler.html", "goo"),
    ("compatible; ichiro/mobile goo;", "goo"),
    ("gooblogsearch/", "goo"),
    ("Apple-PubSub", "Apple iCloud"),
    ("(www.radian6.com/crawler)", "salesforce radian6"),
    ("Genieo/", "Genieo Web Filter"),
    ("labs.topsy.com/butterfly/", "topsy Butterfly"),
    ("rogerbot/1.0 (http://www.seomoz.org/dp/rogerbot", "SeoMoz rogerbot"),
    ("compatible; AhrefsBot/", "ahref AhrefsBot"),
    ("livedoor FeedFetcher", "livedoor FeedFetcher"),
    ("Fastladder FeedFetcher", "livedoor FeedFetcher"),
    ("Hatena Antenna", "Hatena"),
    ("Hatena Pagetitle Agent", "Hatena"),
    ("Hatena Diary RSS", "Hatena"),
    ("mixi-check", "mixi"),
    ("mixi-crawler", "mixi"),
    ("mixi-news-crawler", "mixi"),
    ("compatible; Indy Library", "Indy Library"),
    ("trendictionbot", "trendiction"),
];

/// Browsers that add their own token to another's string (Edge, Opera and Samsung's say
/// "Chrome/", Chrome says "Safari/"): (token the version follows, name), tried before the
/// browsers they imitate.
const BROWSER_TOKENS: &[(&str, &str)] = &[
    ("Edge/", "Edge"),
    ("Edg/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("EdgA/", "Edge"),
    ("Vivaldi/", "Vivaldi"),
    ("FxiOS/", "Firefox"),
    ("YaBrowser/", "Yandex Browser"),
    ("SamsungBrowser/", "SamsungBrowser"),
];

/// The browser and its version, if the string names one.
fn browser(ua: &str) -> Option<(&'static str, Option<&str>)> {
    if ua.contains("compatible; MSIE") || ua.contains("Trident/") || ua.contains("IEMobile") {
        let version = version_after(ua, "MSIE ")
            .or_else(|| ua.contains("Trident/").then(|| version_after(ua, " rv:")).flatten())
            .or_else(|| version_after(ua, "IEMobile/"));
        return Some(("Internet Explorer", version));
    }
    for &(token, name) in BROWSER_TOKENS {
        if ua.contains(token) {
            return Some((name, version_after(ua, token)));
        }
    }
    // An Android WebView says "Chrome/" and "; wv)": it is not Chrome.
    let webview = ua.contains("Chrome") && ua.contains("wv");
    if !webview && ua.contains("Safari/") {
        let chrome = ["Chrome/", "CrMo/", "CriOS/"].iter().find_map(|t| version_after(ua, t));
        if let Some(chrome) = chrome {
            return Some(match version_after(ua, "OPR/") {
                Some(opera) => ("Opera", Some(opera)),
                None => ("Chrome", Some(chrome)),
            });
        }
        if let Some(gsa) = ua.contains("GSA").then(|| version_after(ua, "GSA/")).flatten() {
            return Some(("Google Search App", Some(gsa)));
        }
        return Some(("Safari", version_after(ua, "Version/")));
    }
    if ua.contains("Firefox/") {
        return Some(("Firefox", version_after(ua, "Firefox/")));
    }
    if ua.contains("Opera") {
        let version = ["Version/", "Opera/", "Opera "].iter().find_map(|t| version_after(ua, t));
        return Some(("Opera", version));
    }
    let apple_app = first_token(ua, APPLE_DEVICES).is_some() && ua.contains("like Mac OS X");
    if webview || apple_app {
        return Some(("Webview", version_after(ua, "Version/")));
    }
    None
}

/// Windows versions by the token after "Windows " (Windows 11 still says "NT 10.0").
const WINDOWS: &[(&str, &str)] = &[
    ("NT 10.0", "Windows 10"),
    ("NT 6.3", "Windows 8.1"),
    ("NT 6.2", "Windows 8"),
    ("NT 6.1", "Windows 7"),
    ("NT 6.0", "Windows Vista"),
    ("NT 5.1", "Windows XP"),
    ("NT 5.0", "Windows 2000"),
    ("NT 4.0", "Windows NT 4.0"),
    ("98", "Windows 98"),
    ("95", "Windows 95"),
];

/// Apple's phones and tablets in a string that says "like Mac OS X": (token, system).
const APPLE_DEVICES: &[(&str, &str)] = &[("iPhone;", "iPhone"), ("iPad;", "iPad"), ("iPod", "iPod")];

/// Phones and tablets without "Mac OS X" or "Linux" in their string: (token, system).
const SMARTPHONES: &[(&str, &str)] = &[
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("iPod", "iPod"),
    ("Android", "Android"),
    ("CFNetwork", "iOS"),
    ("BB10", "BlackBerry 10"),
    ("BlackBerry", "BlackBerry"),
];

/// Systems named only in older or rarer strings: (token, system, category).
const OTHER_SYSTEMS: &[(&str, &str, &str)] = &[
    ("KDDI-", "au", MOBILEPHONE),
    ("WILLCOM", "WILLCOM", MOBILEPHONE),
    ("DDIPOCKET", "WILLCOM", MOBILEPHONE),
    ("SymbianOS", "SymbianOS", MOBILEPHONE),
    ("Nintendo DSi;", "Nintendo DSi", APPLIANCE),
    ("Nintendo Wii;", "Nintendo Wii", APPLIANCE),
    ("(Win98;", "Windows 98", PC),
    ("Macintosh; U; PPC;", "Mac OS Classic", PC),
    ("Mac_PowerPC", "Mac OS Classic", PC),
    ("X11; FreeBSD ", "BSD", PC),
    ("X11; CrOS ", "ChromeOS", PC),
];

/// The system and category; `browser` tells Firefox OS from Firefox on Android.
fn system(ua: &str, browser: &str) -> Option<(&'static str, &'static str)> {
    if ua.contains("Windows") {
        if ua.contains("Xbox") {
            let xbox = if ua.contains("Xbox; Xbox One)") { "Xbox One" } else { "Xbox 360" };
            return Some((xbox, APPLIANCE));
        }
        match windows_version(ua) {
            None => return Some(("Windows UNKNOWN Ver", PC)),
            Some(v) if v.starts_with("Phone") => return Some(("Windows Phone OS", SMARTPHONE)),
            Some("CE") => return Some(("Windows CE", SMARTPHONE)),
            Some(v) => {
                if let Some(&(_, name)) = WINDOWS.iter().find(|(token, _)| *token == v) {
                    return Some((name, PC));
                }
            }
        }
    }
    if ua.contains("Mac OS X") {
        if !ua.contains("like Mac OS X") {
            return Some(("Mac OSX", PC));
        }
        return Some(first_token(ua, APPLE_DEVICES).map_or(("Mac OSX", PC), |device| (device, SMARTPHONE)));
    }
    if ua.contains("Linux") {
        return Some(if ua.contains("Android") { ("Android", SMARTPHONE) } else { ("Linux", PC) });
    }
    if browser == "Firefox" && is_firefox_os(ua) {
        return Some(("Firefox OS", SMARTPHONE));
    }
    if let Some(os) = first_token(ua, SMARTPHONES) {
        return Some((os, SMARTPHONE));
    }
    OTHER_SYSTEMS.iter().find(|(token, _, _)| ua.contains(token)).map(|&(_, os, category)| (os, category))
}

/// What follows the first "Windows " that is a run of letters, digits, dots and spaces ended by
/// ";", "\" or ")": "NT 10.0" in "(Windows NT 10.0; Win64; x64)".
fn windows_version(ua: &str) -> Option<&str> {
    ua.match_indices("Windows ").find_map(|(at, token)| {
        let rest = &ua[at + token.len()..];
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == ' ')).unwrap_or(rest.len());
        (end > 0 && rest[end..].starts_with([';', '\\', ')'])).then(|| &rest[..end])
    })
}

/// "Mozilla/5.0 (Mobile; rv:18.0) Gecko/18.0 Firefox/18.0": a phone or tablet that names no
/// system, with nothing after Firefox's version (KaiOS adds its own token and stays unknown).
fn is_firefox_os(ua: &str) -> bool {
    let ends_with_version = ua
        .rsplit_once("Firefox/")
        .is_some_and(|(_, v)| !v.is_empty() && v.bytes().all(|b| b == b'.' || b.is_ascii_digit()));
    ua.starts_with("Mozilla/") && (ua.contains("(Mobile;") || ua.contains("(Tablet;")) && ends_with_version
}

/// Feature phones and appliances that no browser token names: (tokens, name, system, category).
const PHONES_AND_APPLIANCES: &[(&[&str], &str, &str, &str)] = &[
    (&["DoCoMo", ";FOMA;"], "docomo", "docomo", MOBILEPHONE),
    (&["KDDI-"], "au by KDDI", "au", MOBILEPHONE),
    (&["SoftBank", "Vodafone", "J-PHONE"], "SoftBank Mobile", "SoftBank", MOBILEPHONE),
    (&["WILLCOM", "DDIPOCKET"], "WILLCOM", "WILLCOM", MOBILEPHONE),
    (&["jig browser"], "jig browser", "jig", MOBILEPHONE),
    (&["emobile/", "OpenBrowser", "Browser/Obigo-Browser"], "emobile", "emobile", MOBILEPHONE),
    (&["SymbianOS"], "SymbianOS", "SymbianOS", MOBILEPHONE),
    (&["Hatena-Mobile-Gateway/", "livedoor-Mobile-Gateway/"], "Mobile Transcoder", "Mobile Transcoder", MOBILEPHONE),
    (&["PSP (PlayStation Portable)"], "PlayStation Portable", "PlayStation Portable", APPLIANCE),
    (&["PlayStation Vita"], "PlayStation Vita", "PlayStation Vita", APPLIANCE),
    (&["PLAYSTATION 3 ", "PLAYSTATION 3;"], "PlayStation 3", "PlayStation 3", APPLIANCE),
    (&["PlayStation 4 "], "PlayStation 4", "PlayStation 4", APPLIANCE),
    (&["Nintendo 3DS;"], "Nintendo 3DS", "Nintendo 3DS", APPLIANCE),
    (&["Nintendo DSi;"], "Nintendo DSi", "Nintendo DSi", APPLIANCE),
    (&["Nintendo Wii;"], "Nintendo Wii", "Nintendo Wii", APPLIANCE),
    (&["(Nintendo WiiU)"], "Nintendo Wii U", "Nintendo Wii U", APPLIANCE),
    (&["InettvBrowser/"], "InternetTVBrowser", "DigitalTV", APPLIANCE),
];

/// Feed readers built into desktop software: (token, name).
const DESKTOP_TOOLS: &[(&str, &str)] = &[
    ("AppleSyndication/", "Safari RSSReader"),
    ("compatible; Google Desktop/", "Google Desktop"),
    ("Windows-RSS-Platform", "Windows RSSReader"),
];

/// Which language's HTTP library sent the request, by the prefixes they use.
fn http_library(ua: &str) -> Option<&'static str> {
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| ua.starts_with(p));
    let http_client = ["-HttpClient", " HttpClient"]
        .iter()
        .any(|t| ua.match_indices(t).any(|(at, t)| matches!(ua[at + t.len()..].chars().next(), None | Some('/'))));
    let php_product = ["PHP", "WordPress", "CakePHP", "PukiWiki", "PECL::HTTP"]
        .iter()
        .any(|p| ua.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', ' '])));
    if starts(&["Apache-HttpClient/", "Jakarta Commons-HttpClient/", "Java/"])
        || http_client
        || ua.contains("Java(TM) 2 Runtime Environment,")
    {
        Some("Java")
    } else if ua.starts_with("Wget/") {
        Some("wget")
    } else if starts(&["libwww-perl", "WWW-Mechanize", "LWP::Simple", "LWP ", "lwp-trivial"]) {
        Some("perl")
    } else if starts(&["Ruby", "feedzirra", "Typhoeus"]) {
        Some("ruby")
    } else if starts(&["Python-urllib/", "Twisted "]) {
        Some("python")
    } else if php_product || ua.contains("HTTP_Request class") || ua.contains("HTTP_Request2") {
        Some("php")
    } else if ua.starts_with("curl/") {
        Some("curl")
    } else {
        None
    }
}

/// "rss" followed by "reader", "bar", a separator, or spaces and a slash (`lower` is lower-case).
fn maybe_rss_reader(lower: &str) -> bool {
    lower.match_indices("rss").any(|(at, w)| {
        let rest = &lower[at + w.len()..];
        rest.starts_with("reader")
            || rest.starts_with("bar")
            || rest.starts_with(['-', '_', ' ', '/', ';', '(', ')'])
            || rest.trim_start_matches([' ', '+']).starts_with('/')
    }) || lower.contains("headline-reader")
}

/// A string that calls itself a bot, crawler, spider, feed parser or watchdog.
fn maybe_crawler(ua: &str, lower: &str) -> bool {
    let word_ends = |word: &str| {
        lower.match_indices(word).any(|(at, w)| {
            matches!(
                lower[at + w.len()..].chars().next(),
                None | Some('-' | '_' | ' ' | '.' | '/' | ';' | '@' | '(' | ')')
            )
        })
    };
    ["bot", "crawler", "spider"].iter().any(|w| word_ends(w))
        || ["Rome Client ", "UnwindFetchor/", "ia_archiver ", "Summify ", "PostRank/", "ASP-Ranker Feed Crawler"]
            .iter()
            .any(|t| ua.contains(t))
        || ["feedparser", "feed parser", "webparser", "web parser", "watchdog", "watch dog"]
            .iter()
            .any(|t| lower.contains(t))
}

/// The name paired with the first token of `table` found in `ua`.
fn first_token(ua: &str, table: &[(&str, &'static str)]) -> Option<&'static str> {
    table.iter().find(|(token, _)| ua.contains(token)).map(|&(_, name)| name)
}

/// The run of digits and dots right after the first `token` that has one ("131.0.0.0" after
/// "Chrome/"), at most [`MAX_DEVICE_CHARS`] long.
fn version_after<'a>(ua: &'a str, token: &str) -> Option<&'a str> {
    ua.match_indices(token).find_map(|(at, t)| {
        let rest = &ua[at + t.len()..];
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        (end > 0).then(|| &rest[..end.min(MAX_DEVICE_CHARS)])
    })
}
