//! Real user agent strings, with what Woothee answered for each (checked against the crate this
//! module replaced), so a change to a table or to the order shows here.

use super::*;

/// (user agent, browser, system, category).
const KNOWN: &[(&str, &str, &str, &str)] = &[
    // Windows
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Chrome 131",
        "Windows 10",
        "pc",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        "Edge 131",
        "Windows 10",
        "pc",
    ),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox 133", "Windows 10", "pc"),
    (
        "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36",
        "Chrome 109",
        "Windows 7",
        "pc",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0",
        "Opera 115",
        "Windows 10",
        "pc",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Vivaldi/7.0.3495.18",
        "Vivaldi 7",
        "Windows 10",
        "pc",
    ),
    ("Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko", "Internet Explorer 11", "Windows 10", "pc"),
    ("Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1; Trident/4.0)", "Internet Explorer 8", "Windows XP", "pc"),
    ("Opera/9.80 (Windows NT 6.1; WOW64) Presto/2.12.388 Version/12.18", "Opera 12", "Windows 7", "pc"),
    // macOS, Linux, ChromeOS
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Chrome 131",
        "Mac OSX",
        "pc",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15",
        "Safari 18",
        "Mac OSX",
        "pc",
    ),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox 133", "Mac OSX", "pc"),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        "Edge 131",
        "Mac OSX",
        "pc",
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
        "Chrome 156",
        "Linux",
        "pc",
    ),
    ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox 133", "Linux", "pc"),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
        "Chrome 156",
        "Linux",
        "pc",
    ),
    (
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Chrome 131",
        "ChromeOS",
        "pc",
    ),
    ("Mozilla/5.0 (X11; FreeBSD amd64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox 128", "BSD", "pc"),
    // Android
    (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
        "Chrome 131",
        "Android",
        "smartphone",
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36",
        "SamsungBrowser 27",
        "Android",
        "smartphone",
    ),
    ("Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0", "Firefox 133", "Android", "smartphone"),
    (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.0.0",
        "Edge 131",
        "Android",
        "smartphone",
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.81 Mobile Safari/537.36",
        "Webview 4",
        "Android",
        "smartphone",
    ),
    // iOS
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Mobile/15E148 Safari/604.1",
        "Safari 18",
        "iPhone",
        "smartphone",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
        "Chrome 131",
        "iPhone",
        "smartphone",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15",
        "Firefox 133",
        "iPhone",
        "smartphone",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 EdgiOS/131.2903.86 Mobile/15E148 Safari/605.1.15",
        "Edge 131",
        "iPhone",
        "smartphone",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) GSA/343.0.695551749 Mobile/15E148 Safari/604.1",
        "Google Search App 343",
        "iPhone",
        "smartphone",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
        "Webview",
        "iPhone",
        "smartphone",
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Mobile/15E148 Safari/604.1",
        "Safari 18",
        "iPad",
        "smartphone",
    ),
    ("MyApp/1.0 CFNetwork/1494.0.7 Darwin/23.4.0", "", "iOS", "smartphone"),
    // Other phones, appliances
    ("Mozilla/5.0 (Mobile; rv:18.0) Gecko/18.0 Firefox/18.0", "Firefox 18", "Firefox OS", "smartphone"),
    ("Mozilla/5.0 (Mobile; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5", "Firefox 48", "", ""),
    (
        "Mozilla/5.0 (compatible; MSIE 10.0; Windows Phone 8.0; Trident/6.0; IEMobile/10.0; ARM; Touch; NOKIA; Lumia 920)",
        "Internet Explorer 10",
        "Windows Phone OS",
        "smartphone",
    ),
    ("DoCoMo/2.0 SH902i(c100;TB;W24H12)", "docomo", "docomo", "mobilephone"),
    ("Mozilla/5.0 (PlayStation 4 11.00) AppleWebKit/605.1.15 (KHTML, like Gecko)", "PlayStation 4", "PlayStation 4", "appliance"),
    ("Mozilla/5.0 (Nintendo 3DS; U; ; en) Version/1.7412.EU", "Nintendo 3DS", "Nintendo 3DS", "appliance"),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox One) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19041",
        "Edge 18",
        "Xbox One",
        "appliance",
    ),
    // Crawlers, before the browser they copy
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot", "", "crawler"),
    (
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Googlebot",
        "",
        "crawler",
    ),
    (
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
        "bingbot",
        "",
        "crawler",
    ),
    ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "facebook", "", "crawler"),
    ("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", "misc crawler", "", "crawler"),
    (
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
        "misc crawler",
        "",
        "crawler",
    ),
    ("my-watch dog", "misc crawler", "", "crawler"),
    // Tools
    ("curl/8.0", "HTTP Library curl", "", "misc"),
    ("Wget/1.21.3", "HTTP Library wget", "", "misc"),
    ("Apache-HttpClient/4.5.13 (Java/17.0.2)", "HTTP Library Java", "", "misc"),
    ("PHP/8.2", "HTTP Library php", "", "misc"),
    ("RSS reader", "RSSReader", "", "misc"),
    // A system without a browser, a browser without a known system
    ("Mozilla/5.0 (X11; Linux x86_64)", "", "Linux", "pc"),
    ("Dalvik/2.1.0 (Linux; U; Android 13; Pixel 7 Build/TQ3A.230805.001)", "", "Android", "smartphone"),
    ("Mozilla/5.0 (Windows NT 6.4; Win64) Firefox/120.0", "Firefox 120", "", ""),
    ("Mozilla/5.0 (Windows 10; Win64) Firefox/120.0", "Firefox 120", "", ""),
];

#[test]
fn real_user_agents_are_read_as_woothee_read_them() {
    for &(ua, browser, os, category) in KNOWN {
        let got = Device::parse(ua).unwrap_or_else(|| panic!("nothing found in {ua}"));
        assert_eq!((got.browser.as_str(), got.os.as_str(), got.category.as_str()), (browser, os, category), "{ua}");
    }
}

#[test]
fn labels_name_the_browser_and_system() {
    let chrome =
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
    assert_eq!(Device::label(chrome), "Chrome 156 on Linux");
    let firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
    assert_eq!(Device::label(firefox), "Firefox 128 on Windows 10");
    assert_eq!(Device::label("Mozilla/5.0 (Windows NT 6.4; Win64) Firefox/120.0"), "Firefox 120 on an unknown system");
    assert_eq!(Device::label("curl/8.0"), "HTTP Library curl on an unknown system", "tools are named too");
    assert_eq!(Device::label("Mozilla/5.0 (X11; Linux x86_64)"), "Unknown browser", "a system alone is no browser");
}

#[test]
fn nonsense_is_unknown() {
    for ua in ["", "-", "garbage", "Mozilla/5.0", "😀 Chrome/1.0", "python-requests/2.31.0", "\u{0}\u{7f}ÿ"] {
        assert_eq!(Device::parse(ua), None, "{ua:?}");
        assert_eq!(Device::label(ua), "Unknown browser", "{ua:?}");
    }
}

#[test]
fn tokens_without_a_number_give_no_version() {
    let no_version = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/ Safari/537.36";
    assert_eq!(Device::parse(no_version).map(|d| d.browser), Some("Safari".to_owned()));
    let dot_first = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/.5 Safari/537.36";
    assert_eq!(Device::parse(dot_first).map(|d| d.browser), Some("Chrome".to_owned()));
}

#[test]
fn what_a_user_agent_says_is_bounded() {
    let huge = format!("Mozilla/5.0 (X11; Linux x86_64) Chrome/{}.0 Safari/537.36", "9".repeat(5000));
    let d = Device::parse(&huge).unwrap();
    assert_eq!(d.browser, format!("Chrome {}", "9".repeat(MAX_DEVICE_CHARS - "Chrome ".len())));
    assert_eq!((d.os.as_str(), d.category.as_str()), ("Linux", "pc"));
    assert!(Device::label(&huge).chars().count() <= 2 * MAX_DEVICE_CHARS + 4);

    // Long strings of near-misses: every table is searched, nothing matches, nothing panics.
    let noise = "Chrom Safar Firefo Edg Andro Macintos Window ".repeat(5000) + &"é".repeat(3000);
    assert_eq!(Device::parse(&noise), None);
    // A Windows version must end at ";", "\\" or ")": here it runs into "é", so the version is unknown.
    let unended = format!("Mozilla/5.0 (Windows NT 10.0{}", "é".repeat(10));
    let d = Device::parse(&unended).unwrap();
    assert_eq!((d.browser.as_str(), d.os.as_str(), d.category.as_str()), ("", "Windows UNKNOWN Ver", "pc"));
}
