//! "Theme or CSS variables don't apply": the variable allowlist and the
//! silently dropped dangerous values.

use std::time::Duration;

use proptest::prelude::*;

use crate::checks::*;
use crate::probe::{FrameView, PageView, Probe, Tenant, UserSpec, WaitFor};
use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::{Checks, Need, Scenario, Tag, Verdict};

pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "THEME-ALLOWED-APPLIES",
        section: Section::Theming,
        level: Must,
        text: "A supported variable (`--uh-brand-color`, `--uh-text-color`, `--uh-background`, `--uh-font-family`, `--uh-radius`) with a safe value is applied inside the portal.",
        source: "Check that the variable name is in the supported allowlist (see Theming).",
        surfaces: &[RenderedText],
    },
    Requirement {
        id: "THEME-UNKNOWN-DROPPED",
        section: Section::Theming,
        level: Must,
        text: "A variable or property outside the allowlist is dropped.",
        source: "Check that the variable name is in the supported allowlist (see Theming).",
        surfaces: &[RenderedText],
    },
    Requirement {
        id: "THEME-DANGEROUS-DROPPED",
        section: Section::Theming,
        level: Must,
        text: "A value containing `;`, `url(`, `expression(`, `@import`, or anything else that could fetch or break out of its declaration (`{`, `}`, `\\`, `<`, comments, any function other than rgb/rgba/hsl/hsla/calc), in any letter case, is dropped, and nothing is fetched.",
        source: "Values containing semicolons, url(), expression(), or @import are silently dropped for security.",
        surfaces: &[RenderedText, Network],
    },
    Requirement {
        id: "THEME-DROP-SILENT",
        section: Section::Theming,
        level: Must,
        text: "Dropping is silent: no `auth_failed`, the portal still becomes ready, and the rest of the theme still applies.",
        source: "... are silently dropped for security.",
        surfaces: &[SdkEvent, RenderedText],
    },
];

/// A seeded user signed in on a page with `theme`, reading `read`. With
/// `settle`, the page is watched until it has done all it will do (ready,
/// then the network quiet for `QUIET`: see [`WaitFor::NetworkIdle`]), so
/// every fetch the theme caused has reached the canary host; a page that
/// never goes quiet before its deadline leaves the scenario incomplete.
async fn themed_page(
    p: &mut dyn Probe,
    c: &mut Checks,
    theme: Vec<(String, String)>,
    read: Vec<String>,
    settle: bool,
) -> Result<PageView, Verdict> {
    let theme = theme
        .into_iter()
        .map(|(name, value)| (name, serde_json::Value::String(value)))
        .collect();
    themed_page_with(p, c, theme, read, settle).await
}

/// [`themed_page`] with values of any JSON type.
async fn themed_page_with(
    p: &mut dyn Probe,
    c: &mut Checks,
    theme: Vec<(String, serde_json::Value)>,
    read: Vec<String>,
    settle: bool,
) -> Result<PageView, Verdict> {
    let user = p.seed_user(Tenant::Primary, UserSpec::Fresh).await?;
    let signed = sign_valid(p, Tenant::Primary, &user.identity)?;
    let mut page = signed_page(Tenant::Primary, &signed);
    p.note(format!("theme: {theme:?}"));
    page.theme = theme;
    page.read_styles = read;
    if settle {
        page.wait_for = vec![WaitFor::NetworkIdle(QUIET)];
    }
    let view = p.open_page(page).await?;
    expect_ready(c, &view, Some(&user.canary))?;
    if settle {
        expect_settled(&view, QUIET)?;
    }
    Ok(view)
}

/// The computed value of a custom property in the portal document.
fn style(view: &PageView, name: &str) -> Result<String, Verdict> {
    match &view.frame {
        FrameView::Loaded { styles, .. } => styles
            .get(name)
            .map(|v| v.trim().to_string())
            .ok_or_else(|| Verdict::incomplete(format!("the harness did not read {name}"))),
        other => Err(Verdict::incomplete(format!(
            "no portal document to read {name} from: {other:?}"
        ))),
    }
}

fn expect_applied(c: &mut Checks, view: &PageView, name: &str, value: &str) -> Result<(), Verdict> {
    let actual = style(view, name)?;
    c.expect(
        actual == value.trim(),
        format!("{name} is applied as {value:?}"),
        || format!("{name} computes to {actual:?}"),
    )
}

/// Fragments that must never survive into a computed value.
const MARKERS: [&str; 10] = [
    "url",
    "expression",
    "import",
    "image",
    "\\",
    "{",
    "}",
    ";",
    "@",
    "//",
];

fn expect_dropped(
    c: &mut Checks,
    view: &PageView,
    name: &str,
    injected: &str,
) -> Result<(), Verdict> {
    let actual = style(view, name)?;
    let lower = actual.to_ascii_lowercase();
    let survived = MARKERS.iter().find(|m| lower.contains(*m));
    c.expect(
        actual != injected.trim() && survived.is_none(),
        format!("{name} = {injected:?} was dropped"),
        || format!("{name} computes to {actual:?}"),
    )
}

/// The canary host received nothing for `label`.
/// `name` carries a `}` breakout that would set `--uh-text-color` if the
/// value reached the stylesheet.
async fn brace_breakout(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let (name, smuggled) = ("--uh-brand-color", "#0badc0");
    let value = format!("red}}:root{{--uh-text-color:{smuggled}");
    let theme = vec![
        (name.to_string(), value.clone()),
        (CONTROL.0.into(), CONTROL.1.into()),
    ];
    let read = vec![name.to_string(), "--uh-text-color".into(), CONTROL.0.into()];
    let view = themed_page(p, &mut c, theme, read, false).await?;
    expect_dropped(&mut c, &view, name, &value)?;
    let text_color = style(&view, "--uh-text-color")?;
    c.expect(
        text_color != smuggled,
        "the breakout did not set --uh-text-color",
        || format!("--uh-text-color computes to {text_color:?}"),
    )?;
    expect_applied(&mut c, &view, CONTROL.0, CONTROL.1)?;
    Ok(c.pass())
}

/// Theme values that are not strings but whose text, as JavaScript's
/// `String()` or a JSON encoder makes it, is a forbidden form: each makes
/// the value from `url(CANARY)`. A filter that checks strings only and an
/// applier that coerces lets them through.
const NON_STRING_FORMS: [fn(String) -> serde_json::Value; 4] = [
    |fetch| serde_json::json!([fetch]),
    |fetch| serde_json::json!([[fetch]]),
    |fetch| serde_json::json!(["red", fetch]),
    |fetch| serde_json::json!([1, fetch]),
];

/// The variables a batch of forbidden values is set on, one each, in order.
const BATCH_TARGETS: [&str; 4] = [
    "--uh-background",
    "--uh-brand-color",
    "--uh-text-color",
    "--uh-font-family",
];

/// One page with `theme` (a forbidden value per variable, each with its
/// canary label in `labels`) and the safe control: every value dropped, no
/// canary fetched, the control applied.
async fn judge_dropped_batch(
    p: &mut dyn Probe,
    c: &mut Checks,
    mut theme: Vec<(String, serde_json::Value)>,
    labels: &[String],
) -> Result<(), Verdict> {
    let forbidden = theme.len();
    theme.push((CONTROL.0.into(), CONTROL.1.into()));
    let read = theme.iter().map(|(n, _)| n.clone()).collect();
    let view = themed_page_with(p, c, theme.clone(), read, true).await?;
    for (name, value) in &theme[..forbidden] {
        let injected = match value {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        expect_dropped(c, &view, name, &injected)?;
    }
    for label in labels {
        expect_no_fetch(p, c, label).await?;
    }
    expect_applied(c, &view, CONTROL.0, CONTROL.1)
}

/// Each of [`NON_STRING_FORMS`] on its variable, with a safe string
/// control: every one dropped, no canary fetched, the control applied.
async fn non_string_values(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let mut theme = Vec::new();
    let mut labels = Vec::new();
    for (name, form) in BATCH_TARGETS.into_iter().zip(NON_STRING_FORMS) {
        let label = p.unique("theme-canary");
        let value = form(format!("url({})", p.canary_url(&label)));
        theme.push((name.to_string(), value));
        labels.push(label);
    }
    judge_dropped_batch(p, &mut c, theme, &labels).await?;
    Ok(c.pass())
}

/// How long the network must stay quiet after `ready` before a negative
/// observation (nothing fetched) concludes. Not a window the fetch must
/// fall in: any request restarts it.
const QUIET: Duration = Duration::from_millis(1000);
const CONTROL: (&str, &str) = ("--uh-radius", "6px");

/// One forbidden value on `name`, `{canary}` standing for a canary URL.
async fn forbidden(p: &mut dyn Probe, name: &str, template: &str) -> Outcome {
    let mut c = Checks::new();
    let label = p.unique("theme-canary");
    let value = template.replace("{canary}", &p.canary_url(&label));
    let theme = vec![
        (name.to_string(), value.clone()),
        (CONTROL.0.into(), CONTROL.1.into()),
    ];
    let read = vec![name.to_string(), CONTROL.0.into()];
    let view = themed_page(p, &mut c, theme, read, true).await?;
    expect_dropped(&mut c, &view, name, &value)?;
    expect_no_fetch(p, &mut c, &label).await?;
    expect_applied(&mut c, &view, CONTROL.0, CONTROL.1)?;
    Ok(c.pass())
}

async fn allowed_applies(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let theme = vec![
        ("--uh-brand-color".to_string(), "#1a2b3c".to_string()),
        ("--uh-radius".into(), " 7px ".into()),
        ("--uh-font-family".into(), "Georgia, serif".into()),
        ("--uh-text-color".into(), "rgb(10, 20, 30)".into()),
    ];
    let read = theme.iter().map(|(n, _)| n.clone()).collect();
    let view = themed_page(p, &mut c, theme.clone(), read, false).await?;
    for (name, value) in &theme {
        expect_applied(&mut c, &view, name, value)?;
    }
    Ok(c.pass())
}

async fn unknown_dropped(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let theme = vec![
        ("--uh-evil".to_string(), "#ff0000".to_string()),
        ("--uh-brand-colour".into(), "#ff0000".into()),
        ("--brand-color".into(), "#ff0000".into()),
        ("color".into(), "#ff0000".into()),
        ("--uh-text-color".into(), "#222222".into()),
    ];
    let read = vec![
        "--uh-evil".to_string(),
        "--uh-brand-colour".into(),
        "--brand-color".into(),
        "--uh-text-color".into(),
    ];
    let view = themed_page(p, &mut c, theme, read, false).await?;
    for name in ["--uh-evil", "--uh-brand-colour", "--brand-color"] {
        let actual = style(&view, name)?;
        c.expect(
            actual.is_empty(),
            format!("unknown variable {name} was dropped"),
            || format!("{name} computes to {actual:?}"),
        )?;
    }
    expect_applied(&mut c, &view, "--uh-text-color", "#222222")?;
    Ok(c.pass())
}

/// Names that only look allowlisted: an allowlisted name extended, and
/// allowlisted names carrying a declaration or rule breakout, as an
/// allowlist matched by prefix lets through when the portal writes
/// `name:value` into its style sheet.
async fn name_lookalikes_dropped(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let label = p.unique("theme-name-canary");
    let smuggled = "#0badc0";
    let extended = "--uh-brand-color-x";
    let theme = vec![
        (extended.to_string(), "#ff0000".to_string()),
        (
            format!(
                "--uh-font-family:serif;background-image:url({});--x",
                p.canary_url(&label)
            ),
            "2px".to_string(),
        ),
        (
            "--uh-background}:root{--uh-text-color".to_string(),
            smuggled.to_string(),
        ),
        (CONTROL.0.into(), CONTROL.1.into()),
    ];
    let read = vec![
        extended.to_string(),
        "--uh-text-color".into(),
        CONTROL.0.into(),
    ];
    let view = themed_page(p, &mut c, theme, read, true).await?;
    let actual = style(&view, extended)?;
    c.expect(
        actual.is_empty(),
        format!("{extended} (an allowlisted name extended) was dropped"),
        || format!("{extended} computes to {actual:?}"),
    )?;
    let text_color = style(&view, "--uh-text-color")?;
    c.expect(
        text_color != smuggled,
        "a name carrying `}:root{` did not set --uh-text-color",
        || format!("--uh-text-color computes to {text_color:?}"),
    )?;
    expect_no_fetch(p, &mut c, &label).await?;
    expect_applied(&mut c, &view, CONTROL.0, CONTROL.1)?;
    Ok(c.pass())
}

async fn drop_is_silent(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let label = p.unique("theme-canary");
    let theme = vec![
        (
            "--uh-background".to_string(),
            format!("url({})", p.canary_url(&label)),
        ),
        ("--uh-brand-color".into(), "#123456".into()),
    ];
    let view = themed_page(p, &mut c, theme, vec!["--uh-brand-color".into()], false).await?;
    c.expect(
        view.event(crate::contract::EVENT_AUTH_FAILED).is_none(),
        "no auth_failed for a dropped value",
        || summary(&view),
    )?;
    expect_applied(&mut c, &view, "--uh-brand-color", "#123456")?;
    Ok(c.pass())
}

/// A forbidden value: a fetching or breaking form, in some spelling, maybe
/// nested in an allowed function. `{canary}` stands for the canary URL.
fn forbidden_variants() -> impl Strategy<Value = String> {
    let function = prop_oneof![
        Just("url"),
        Just("URL"),
        Just("Url"),
        Just("uRl"),
        Just(r"\75rl"),
        Just(r"\55RL"),
        Just(r"u\72l"),
        Just(r"\000075rl"),
        Just("image"),
        Just("image-set"),
        Just("expression"),
        Just("EXPRESSION"),
    ];
    let space = prop_oneof![Just(""), Just(" "), Just("\t"), Just("/**/")];
    let quote = prop_oneof![Just(""), Just("\""), Just("'")];
    let wrapper = 0usize..6;
    let tail = prop_oneof![Just(""), Just(";"), Just("}"), Just(" !important")];
    (function, space, quote, wrapper, tail).prop_map(|(f, ws, q, wrap, tail)| {
        let call = format!("{f}({ws}{q}{{canary}}{q}{ws})");
        let wrapped = match wrap {
            0 => call,
            1 => format!("rgb({call})"),
            2 => format!("calc(1px + {call})"),
            3 => format!("red {call}"),
            4 => format!("@import {call}"),
            _ => format!("red}}body{{background:{call}"),
        };
        format!("{wrapped}{tail}")
    })
}

/// The known-dangerous spellings every run tries, before the generated
/// ones: each a way real CSS sanitizers have been bypassed. `{canary}`
/// stands for a canary URL.
pub(crate) const KNOWN_FORBIDDEN: [&str; 16] = [
    "ur/**/l({canary})",
    "u\\72l({canary})",
    "URL({canary})",
    "Expression(alert(1))",
    "@IMPORT url({canary})",
    "image-set(\"{canary}\" 1x)",
    "-webkit-image-set(\"{canary}\" 1x)",
    "image(\"{canary}\")",
    "src(\"{canary}\")",
    "\u{FF55}\u{FF52}\u{FF4C}({canary})",
    "red\n;background:url({canary})",
    "</style><img src=\"{canary}\">",
    "red;-moz-binding:url({canary})",
    "red;behavior:url({canary})",
    "url('{canary}",
    "rgb(1,2,3))};body{background:url({canary})",
];

/// The pages `theming.generated-forbidden-variants` opens: the known
/// spellings, then one batch of generated ones, a value per target each.
const GENERATED_PAGES: u32 = (KNOWN_FORBIDDEN.len().div_ceil(BATCH_TARGETS.len()) + 1) as u32;

async fn generated_forbidden(p: &mut dyn Probe) -> Outcome {
    let mut c = Checks::new();
    let mut variants: Vec<String> = KNOWN_FORBIDDEN.iter().map(|v| v.to_string()).collect();
    variants.extend(generate(
        p,
        "forbidden theme values",
        forbidden_variants(),
        BATCH_TARGETS.len(),
    ));
    for batch in variants.chunks(BATCH_TARGETS.len()) {
        let mut theme = Vec::new();
        let mut labels = Vec::new();
        for (name, template) in BATCH_TARGETS.iter().zip(batch) {
            let label = p.unique("theme-canary");
            let value = template.replace("{canary}", &p.canary_url(&label));
            p.note(format!("variant {template:?} on {name} (canary {label})"));
            theme.push((name.to_string(), serde_json::Value::String(value)));
            labels.push(label);
        }
        judge_dropped_batch(p, &mut c, theme, &labels).await?;
    }
    Ok(c.pass())
}

const TAGS: &[Tag] = &[Tag::Browser, Tag::Theme];
const NEEDS: &[Need] = &[Need::Browser, Need::Users];
/// Each also checks that a safe allowlisted control value applies.
const DANGEROUS: &[&str] = &[
    "THEME-DANGEROUS-DROPPED",
    "THEME-DROP-SILENT",
    "THEME-ALLOWED-APPLIES",
];
const FIX: &str = "Keep a value only if every character is in the allowed set and every function is rgb/rgba/hsl/hsla/calc, compared case-insensitively after CSS unescaping; otherwise drop it.";

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "theming.allowed-variable-applies",
            title: "Allowlisted variables with safe values apply",
            section: Section::Theming,
            requirements: &["THEME-ALLOWED-APPLIES"],
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "Sets --uh-brand-color, --uh-radius (with spaces), --uh-font-family and --uh-text-color (rgb()) to safe values: each computes to the value set, trimmed, in the portal document.",
            how_to_fix: "Pass allowlisted variables with safe values into the portal's root style.",
            run: run!(p => allowed_applies(p)),
        },
        Scenario {
            id: "theming.name-lookalikes-dropped",
            title: "Names that only start like an allowlisted variable are dropped",
            section: Section::Theming,
            requirements: &["THEME-UNKNOWN-DROPPED", "THEME-DROP-SILENT", "THEME-ALLOWED-APPLIES"],
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: QUIET,
            description: "Sends `--uh-brand-color-x`, `--uh-font-family:serif;background-image:url(CANARY);--x` and `--uh-background}:root{--uh-text-color` as variable names, beside the control `--uh-radius: 6px`. Once the page has gone quiet: the extended name computes to nothing, `--uh-text-color` is not the smuggled `#0badc0`, the canary host had no request, and the control applies.",
            how_to_fix: "Match variable names against the allowlist exactly (whole string, not a prefix), and never write a name that is not on it into a style sheet.",
            run: run!(p => name_lookalikes_dropped(p)),
        },
        Scenario {
            id: "theming.unknown-variable-dropped",
            title: "Variables outside the allowlist are dropped",
            section: Section::Theming,
            requirements: &[
                "THEME-UNKNOWN-DROPPED",
                "THEME-DROP-SILENT",
                "THEME-ALLOWED-APPLIES",
                "CSP-FRAME-SRC-RESPECTED",
            ],
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "Sets --uh-evil, --uh-brand-colour, --brand-color and `color` next to a safe --uh-text-color: the unknown ones compute to nothing, the allowed one applies, the portal becomes ready.",
            how_to_fix: "Apply only the five documented variable names, matched exactly.",
            run: run!(p => unknown_dropped(p)),
        },
        Scenario {
            id: "theming.drops-semicolon",
            title: "A value with `;` is dropped",
            section: Section::Theming,
            requirements: DANGEROUS,
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: QUIET,
            description: "Sets --uh-background to `#111111;background-image:url(CANARY)`: dropped, nothing fetched, the rest of the theme applies.",
            how_to_fix: FIX,
            run: run!(p => forbidden(p, "--uh-background", "#111111;background-image:url({canary})")),
        },
        Scenario {
            id: "theming.non-string-values-dropped",
            title: "Theme values that are not strings are dropped, whatever their text",
            section: Section::Theming,
            requirements: DANGEROUS,
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: QUIET,
            description: "Passes `init` theme values that are arrays whose text is a url() (`[\"url(CANARY)\"]`, nested, after a colour, after a number), beside a safe string control: each is dropped, no canary is fetched, the control applies and the portal becomes ready.",
            how_to_fix: "Drop every theme value that is not a string before filtering; never coerce one to text (`String(value)`, string interpolation) after a check that only looked at strings.",
            run: run!(p => non_string_values(p)),
        },
        Scenario {
            id: "theming.drops-url",
            title: "A url() value is dropped and never fetched",
            section: Section::Theming,
            requirements: DANGEROUS,
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: QUIET,
            description: "Sets --uh-background (used in `background:`) to `url(CANARY)`: dropped and the canary host receives nothing.",
            how_to_fix: FIX,
            run: run!(p => forbidden(p, "--uh-background", "url({canary})")),
        },
        Scenario {
            id: "theming.drops-expression",
            title: "An expression() value is dropped",
            section: Section::Theming,
            requirements: DANGEROUS,
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: QUIET,
            description: "Sets --uh-brand-color to `expression(alert(1))`: dropped.",
            how_to_fix: FIX,
            run: run!(p => forbidden(p, "--uh-brand-color", "expression(alert(1))")),
        },
        Scenario {
            id: "theming.drops-import",
            title: "An @import value is dropped",
            section: Section::Theming,
            requirements: DANGEROUS,
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: QUIET,
            description: "Sets --uh-font-family to `@import url(CANARY)`: dropped and nothing fetched.",
            how_to_fix: FIX,
            run: run!(p => forbidden(p, "--uh-font-family", "@import url({canary})")),
        },
        Scenario {
            id: "theming.drops-brace-breakout",
            title: "A `}` breakout is dropped",
            section: Section::Theming,
            requirements: DANGEROUS,
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "Sets --uh-brand-color to `red}:root{--uh-text-color:#0badc0`: dropped, and --uh-text-color is not set by the breakout.",
            how_to_fix: FIX,
            run: run!(p => brace_breakout(p)),
        },
        Scenario {
            id: "theming.drops-uppercase-url",
            title: "An upper-case URL() value is dropped",
            section: Section::Theming,
            requirements: DANGEROUS,
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: QUIET,
            description: "Sets --uh-background to `URL(CANARY)`: dropped and nothing fetched (the check is case-insensitive).",
            how_to_fix: FIX,
            run: run!(p => forbidden(p, "--uh-background", "URL({canary})")),
        },
        Scenario {
            id: "theming.drops-escaped-url",
            title: "A CSS-escaped \\75rl() value is dropped",
            section: Section::Theming,
            requirements: DANGEROUS,
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: QUIET,
            description: "Sets --uh-background to `\\75rl(CANARY)` (a CSS escape of `url(`): dropped and nothing fetched.",
            how_to_fix: FIX,
            run: run!(p => forbidden(p, "--uh-background", r"\75rl({canary})")),
        },
        Scenario {
            id: "theming.generated-forbidden-variants",
            title: "Known and generated spellings of forbidden values are all dropped",
            section: Section::Theming,
            requirements: DANGEROUS,
            level: Must,
            tags: &[Tag::Browser, Tag::Theme, Tag::Generated],
            needs: NEEDS,
            budget: Duration::from_secs(75),
            wait: QUIET.saturating_mul(GENERATED_PAGES),
            description: "Sixteen known bypass spellings, always (`ur/**/l(`, `u\\72l(`, `URL(`, `Expression(`, `@IMPORT`, `image-set(`, `-webkit-image-set(`, `image(`, `src(`, full-width `ｕｒｌ(`, a newline before `;`, `</style>` breakout, `-moz-binding`, `behavior:`, an unbalanced quote, unbalanced parentheses), then four generated from a noted seed (url/image/expression in mixed case and CSS escapes, with white space, comments and quotes, nested in rgb()/calc(), after @import or a `}` breakout, with `;`/`}` tails), four per page: each dropped, no canary fetched, a safe variable still applied.",
            how_to_fix: FIX,
            run: run!(p => generated_forbidden(p)),
        },
        Scenario {
            id: "theming.drop-is-silent",
            title: "Dropping a value is silent",
            section: Section::Theming,
            requirements: &["THEME-DROP-SILENT", "THEME-ALLOWED-APPLIES", "CSP-FRAME-SRC-RESPECTED"],
            level: Must,
            tags: TAGS,
            needs: NEEDS,
            budget: BROWSER_BUDGET,
            wait: NO_WAIT,
            description: "A theme with a url() value and a safe --uh-brand-color: the portal becomes ready with no auth_failed and the safe variable applies.",
            how_to_fix: "Drop bad theme values without affecting authentication or the rest of the theme.",
            run: run!(p => drop_is_silent(p)),
        },
    ]
}
