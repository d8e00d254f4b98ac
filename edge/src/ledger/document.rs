//! An invoice or credit note as owners download it: an HTML page (printable) and a PDF (A4, the
//! PDF's standard Helvetica, written here: a few objects and a cross-reference table need no
//! library). Both say the same, line for line ([`lines`]).

use super::{Document, Kind};
use crate::consent_export::day;
use crate::pages::escape_html as esc;

/// `29.00 EUR`, `-29.00 EUR`.
pub fn money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02} {currency}", c / 100, c % 100)
}

/// The title: `Invoice INV-000001` or `Credit note CN-000001`.
pub fn title(d: &Document) -> String {
    match &d.kind {
        Kind::Invoice => format!("Invoice {}", d.number),
        Kind::CreditNote { .. } => format!("Credit note {}", d.number),
    }
}

/// Whether the customer accounts for the VAT (reverse charge): a VAT number of another EU
/// country than the operator's, and no tax charged.
fn reverse_charge(d: &Document) -> bool {
    let country = |v: &Option<String>| v.as_deref().and_then(|v| v.get(..2)).map(str::to_owned);
    d.draft.tax == 0
        && country(&d.draft.customer.vat_id).is_some()
        && country(&d.draft.customer.vat_id) != country(&d.draft.operator.vat_id)
}

/// What a document says, as (heading, lines) blocks, in order: the same for HTML and PDF.
pub fn lines(d: &Document) -> Vec<(String, Vec<String>)> {
    let o = &d.draft.operator;
    let c = &d.draft.customer;
    let mut from: Vec<String> = vec![o.name.clone()];
    from.extend(o.address.lines().map(str::to_owned));
    from.extend(o.vat_id.iter().map(|v| format!("VAT number: {v}")));
    from.push(o.email.clone());
    let mut to: Vec<String> = vec![c.company.clone()];
    to.extend(c.address.lines().map(str::to_owned));
    to.extend(c.vat_id.iter().map(|v| format!("VAT number: {v}")));
    to.push(c.email.clone());
    let mut about = vec![format!("Number: {}", d.number), format!("Date: {}", day(d.issued_at))];
    match &d.kind {
        Kind::Invoice => about.push(format!("Paid on {}", day(d.draft.paid_at))),
        Kind::CreditNote { of, reason } => {
            about.push(format!("Cancels invoice {of}"));
            about.push(format!("Reason: {reason}"));
        }
    }
    about.push(format!("Workspace: {}", d.draft.site));
    let cur = &d.draft.currency;
    let mut amounts = vec![
        format!(
            "Provixchat {} plan, {} to {}: {}",
            d.draft.plan,
            day(d.draft.period_start),
            day(d.draft.period_end),
            money(d.draft.subtotal, cur)
        ),
        format!("Subtotal: {}", money(d.draft.subtotal, cur)),
        format!("VAT: {}", money(d.draft.tax, cur)),
        format!("Total: {}", money(d.draft.total, cur)),
    ];
    if reverse_charge(d) {
        amounts.push(
            "Reverse charge: VAT to be accounted for by the recipient (Article 196, Directive 2006/112/EC).".into(),
        );
    }
    vec![("From".into(), from), ("Bill to".into(), to), ("Details".into(), about), ("Amounts".into(), amounts)]
}

/// The HTML page (`/billing/SITE/invoices/NUMBER`).
pub fn html(d: &Document) -> String {
    let title = esc(&title(d));
    let mut body = String::new();
    for (heading, lines) in lines(d) {
        body.push_str(&format!("<section><h2>{}</h2>", esc(&heading)));
        for line in lines {
            body.push_str(&format!("<p>{}</p>", esc(&line)));
        }
        body.push_str("</section>");
    }
    let site = esc(d.draft.site.as_str());
    let number = esc(&d.number);
    let body = format!(
        r##"<main class="invoice">
<header><p><a href="/billing/{site}">← Billing</a> · <a href="/billing/{site}/invoices/{number}/pdf">Download as PDF</a></p><h1>{title}</h1></header>
{body}
</main>"##
    );
    crate::pages::document(&title, &["/notice.css", "/billing.css"], &body)
}

/// Text as the PDF's WinAnsi encoding writes it inside `( )`: Latin-1 as is, `€` and the
/// typographic quotes and dashes at their Windows-1252 places, anything else `?`.
fn pdf_text(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for ch in s.chars() {
        let b = match ch {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                ch as u8
            }
            '€' => 0x80,
            '–' => 0x96,
            '—' => 0x97,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '·' => 0xB7,
            c if (c as u32) < 0x7F && (c as u32) >= 0x20 => c as u8,
            c if (0xA0..=0xFF).contains(&(c as u32)) => c as u32 as u8,
            _ => b'?',
        };
        out.push(b);
    }
    out
}

/// Splits a line into pieces of at most `width` characters at spaces (long words are cut).
fn wrap(line: &str, width: usize) -> Vec<String> {
    let mut out = vec![];
    let mut current = String::new();
    for word in line.split(' ') {
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    out.push(current);
    out.into_iter()
        .flat_map(|l| l.chars().collect::<Vec<_>>().chunks(width).map(|c| c.iter().collect()).collect::<Vec<String>>())
        .collect()
}

/// The PDF: one A4 page (more if the lines need them), Helvetica and Helvetica-Bold.
pub fn pdf(d: &Document) -> Vec<u8> {
    // The page's content: (font, size, text) lines from the top.
    let mut rows: Vec<(&str, u32, String)> = vec![("F2", 18, title(d)), ("F1", 10, String::new())];
    for (heading, lines) in lines(d) {
        rows.push(("F2", 12, heading));
        for line in lines {
            rows.extend(wrap(&line, 95).into_iter().map(|l| ("F1", 10, l)));
        }
        rows.push(("F1", 10, String::new()));
    }
    let mut pages: Vec<Vec<u8>> = vec![];
    let mut stream = Vec::new();
    let mut y = 800;
    for (font, size, text) in rows {
        if y < 60 {
            pages.push(std::mem::take(&mut stream));
            y = 800;
        }
        stream.extend_from_slice(format!("BT /{font} {size} Tf 56 {y} Td (").as_bytes());
        stream.extend(pdf_text(&text));
        stream.extend_from_slice(b") Tj ET\n");
        y -= size as i32 + 6;
    }
    pages.push(stream);

    // Objects: 1 catalog, 2 page tree, 3 and 4 fonts, 5 info, then a page and its content each.
    let n_pages = pages.len();
    let kids: Vec<String> = (0..n_pages).map(|i| format!("{} 0 R", 6 + 2 * i)).collect();
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count {n_pages} >>", kids.join(" ")).into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".to_vec(),
        {
            let mut info = b"<< /Title (".to_vec();
            info.extend(pdf_text(&title(d)));
            info.extend_from_slice(b") /Producer (Provixchat) >>");
            info
        },
    ];
    for (i, content) in pages.into_iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                7 + 2 * i
            )
            .into_bytes(),
        );
        let mut obj = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        obj.extend(content);
        obj.extend_from_slice(b"\nendstream");
        objects.push(obj);
    }
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = vec![];
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(obj);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
            .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::logic::tests::draft;

    fn invoice() -> Document {
        Document {
            number: "INV-000007".into(),
            issued_at: 1_796_083_300_000,
            kind: Kind::Invoice,
            draft: draft("demo", "in_1"),
        }
    }

    #[test]
    fn an_invoice_says_who_bills_whom_for_what_period_and_how_much() {
        let text: Vec<String> = lines(&invoice()).into_iter().flat_map(|(h, l)| std::iter::once(h).chain(l)).collect();
        for expected in [
            "Provixchat GmbH",
            "VAT number: DE123456789",
            "Demo Shop GmbH",
            "Töpferweg 3",
            "VAT number: DE987654321",
            "Number: INV-000007",
            "Date: 2026-12-01",
            "Paid on 2026-12-01",
            "Provixchat Team plan, 2026-12-01 to 2027-01-01: 29.00 EUR",
            "VAT: 5.51 EUR",
            "Total: 34.51 EUR",
        ] {
            assert!(text.iter().any(|l| l == expected), "{expected} in {text:?}");
        }
        assert!(!text.iter().any(|l| l.starts_with("Reverse charge")), "VAT was charged");
        let mut abroad = invoice();
        (abroad.draft.tax, abroad.draft.total) = (0, 2900);
        abroad.draft.customer.vat_id = Some("ATU12345678".into());
        assert!(lines(&abroad).iter().any(|(_, l)| l.iter().any(|l| l.starts_with("Reverse charge"))));
        assert_eq!(money(-3451, "EUR"), "-34.51 EUR");
    }

    #[test]
    fn the_html_escapes_what_owners_typed() {
        let mut d = invoice();
        d.draft.customer.company = "<script>x</script>".into();
        let page = html(&d);
        assert!(page.contains("&lt;script&gt;x&lt;/script&gt;") && !page.contains("<script>"));
        assert!(page.contains("<title>Invoice INV-000007</title>"));
        assert!(page.contains("href=\"/billing/demo/invoices/INV-000007/pdf\""));
    }

    #[test]
    fn the_pdf_is_well_formed_every_object_where_its_cross_reference_says() {
        let bytes = pdf(&invoice());
        assert!(bytes.starts_with(b"%PDF-1.4\n"));
        assert!(bytes.ends_with(b"%%EOF\n"));
        let find = |needle: &[u8]| bytes.windows(needle.len()).rposition(|w| w == needle).unwrap();
        let tail = String::from_utf8(bytes[find(b"startxref\n")..].to_vec()).unwrap();
        let start: usize = tail.lines().nth(1).unwrap().parse().unwrap();
        let table = String::from_utf8(bytes[start..].to_vec()).unwrap();
        assert!(table.starts_with("xref\n0 8\n"), "the table where startxref points: {table}");
        for (i, line) in table.lines().skip(3).take(7).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            assert!(bytes[offset..].starts_with(format!("{} 0 obj\n", i + 1).as_bytes()), "object {}", i + 1);
        }
        // WinAnsi: ö is one byte (0xF6); each stream's length is its byte count.
        assert!(bytes.windows(10).any(|w| w == b"T\xF6pferweg "));
        let length_at = find(b"/Length ") + 8;
        let length: usize =
            String::from_utf8_lossy(&bytes[length_at..length_at + 8]).split(' ').next().unwrap().parse().unwrap();
        let data = find(b">>\nstream\n") + 10;
        assert_eq!(&bytes[data + length..data + length + 10], b"\nendstream");
        assert!(bytes.windows(22).any(|w| w == b"(Total: 34.51 EUR) Tj "));
        assert_eq!(pdf_text("a(b)c\\ €"), b"a\\(b\\)c\\\\ \x80".to_vec());
    }

    #[test]
    fn long_lines_wrap_and_long_documents_take_more_pages() {
        assert_eq!(wrap("aaa bbb ccc", 7), ["aaa bbb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        let mut d = invoice();
        d.draft.customer.address = "line\n".repeat(80);
        let text = String::from_utf8_lossy(&pdf(&d)).into_owned();
        assert!(!text.contains("/Count 1 "), "more than one page");
        assert_eq!(
            text.matches("/Type /Page /Parent").count(),
            text.split("/Count ").nth(1).unwrap()[..1].parse::<usize>().unwrap()
        );
    }
}
