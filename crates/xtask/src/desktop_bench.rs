//! `cargo xtask bench desktop` (and the second table of `cargo xtask bench`): the desktop app as
//! installed (the `desktop` profile that the installers carry) beside a bare Tauri 2 window
//! (`crates/bare-window`) built with the same profile in the same run: installer and binary
//! sizes, time until the window is mapped, and the memory of the whole process tree (the app and
//! its WebKit processes, PSS) a few seconds after, in demo mode (embedded service) and against a
//! remote service. Rounds alternate between the three so that the machine's drift is shared.
//!
//! The measurements run on a virtual display inside a private D-Bus session: this program starts
//! itself again there (`desktop-measure`) and reads back its rows.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::package::{self, mib};
use crate::{cargo, ensure_packages, root, say, status};

/// Demo-mode memory over a bare window's (issue 14).
const DEMO_MEMORY_GOAL: f64 = 1.25;
/// How long after the window is mapped the memory is read: the page loaded, the embedded
/// service seeded and idle.
const SETTLE: Duration = Duration::from_secs(6);
const BARE_TITLE: &str = "Bare Tauri window";
const APP_TITLE: &str = "Espace Pro";

struct Row {
    what: String,
    measured: String,
    baseline: String,
    ratio: String,
    goal: String,
    met: String,
}

fn print_table(rows: &[Row]) {
    println!();
    println!("| what | measured | baseline (same run) | ratio | goal | met |");
    println!("|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            r.what, r.measured, r.baseline, r.ratio, r.goal, r.met
        );
    }
}

fn bare_binary() -> PathBuf {
    package::target_dir()
        .join(package::PROFILE)
        .join("bare-window")
}

fn xz_size(path: &Path) -> Result<u64, String> {
    let out = Command::new("xz")
        .args(["-9", "-T2", "-c"])
        .arg(path)
        .output()
        .map_err(|e| format!("xz: {e}"))?;
    Ok(out.stdout.len() as u64)
}

fn size(path: &Path) -> Result<u64, String> {
    Ok(std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len())
}

/// Builds both, measures, prints the table. `rounds`: launches of each.
pub fn run(rounds: usize) -> Result<(), String> {
    ensure_packages(&["xvfb", "xauth", "x11-utils", "dbus-x11", "xz-utils"])?;
    let installers = package::build()?;
    say("building the bare Tauri 2 window with the same profile");
    let mut build = cargo();
    build.args([
        "build",
        "--profile",
        package::PROFILE,
        "-p",
        "bare-window",
        "--features",
        "custom-protocol",
    ]);
    status(build)?;

    let (app, bare) = (package::app_binary(), bare_binary());
    let (app_size, bare_size) = (size(&app)?, size(&bare)?);
    let deb = size(&installers.deb)?;
    let rpm = size(&installers.rpm)?;
    let bare_xz = xz_size(&bare)?;
    let mut rows = vec![
        Row {
            what: ".deb".into(),
            measured: format!("{:.2} MiB", mib(deb)),
            baseline: format!(
                "{:.2} MiB (the bare window's binary, xz -9: what its .deb would hold)",
                mib(bare_xz)
            ),
            ratio: format!("{:.1} ×", deb as f64 / bare_xz as f64),
            goal: format!("≤ {:.0} MiB", mib(package::DEB_MAX_BYTES)),
            met: yes(deb <= package::DEB_MAX_BYTES),
        },
        Row {
            what: ".rpm".into(),
            measured: format!("{:.2} MiB", mib(rpm)),
            baseline: "—".into(),
            ratio: "—".into(),
            goal: "(information)".into(),
            met: "—".into(),
        },
        Row {
            what: "app binary (stripped)".into(),
            measured: format!("{:.1} MB", app_size as f64 / 1e6),
            baseline: format!("{:.1} MB (bare window)", bare_size as f64 / 1e6),
            ratio: format!("{:.1} ×", app_size as f64 / bare_size as f64),
            goal: "(information)".into(),
            met: "—".into(),
        },
    ];

    say(&format!(
        "launching the bare window and the app (demo, remote) {rounds} times each on a virtual display"
    ));
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new("dbus-run-session")
        // `-noreset`: Xvfb otherwise resets itself each time its last client leaves (one app
        // stopped, the next not yet connected), and an app that connects during the reset
        // fails with "Failed to initialize GTK": 1 launch in 5 to 10 did. A desktop's display
        // never resets, and each start-up time held the reset too (120–300 ms, not 75 ms).
        .args([
            "--",
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1280x1000x24 -noreset",
        ])
        .arg(me)
        .arg("desktop-measure")
        .arg(&bare)
        .arg(&app)
        .arg(rounds.to_string())
        .current_dir(root())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("dbus-run-session: {e}"))?;
    if !out.status.success() {
        return Err(format!("the measurements failed ({})", out.status));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let figure = |name: &str| -> Result<f64, String> {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| format!("no {name} in the measurements:\n{text}"))
    };
    let (bare_start, demo_start, remote_start) = (
        figure("start.bare")?,
        figure("start.demo")?,
        figure("start.remote")?,
    );
    let (bare_pss, demo_pss, remote_pss) = (
        figure("pss.bare")?,
        figure("pss.demo")?,
        figure("pss.remote")?,
    );
    for (what, measured, baseline) in [
        ("window mapped, demo mode (ms)", demo_start, bare_start),
        (
            "window mapped, remote service (ms)",
            remote_start,
            bare_start,
        ),
    ] {
        rows.push(Row {
            what: what.into(),
            measured: format!("{measured:.0}"),
            baseline: format!("{baseline:.0} (bare window)"),
            ratio: format!("{:.2} ×", measured / baseline),
            goal: "(information)".into(),
            met: "—".into(),
        });
    }
    rows.push(Row {
        what: "memory, demo mode (PSS of the process tree, MiB)".into(),
        measured: format!("{demo_pss:.0}"),
        baseline: format!("{bare_pss:.0} (bare window)"),
        ratio: format!("{:.2} ×", demo_pss / bare_pss),
        goal: format!("≤ {DEMO_MEMORY_GOAL} ×"),
        met: yes(demo_pss / bare_pss <= DEMO_MEMORY_GOAL),
    });
    rows.push(Row {
        what: "memory, remote service (PSS of the process tree, MiB)".into(),
        measured: format!("{remote_pss:.0}"),
        baseline: format!("{bare_pss:.0} (bare window)"),
        ratio: format!("{:.2} ×", remote_pss / bare_pss),
        goal: "(information)".into(),
        met: "—".into(),
    });
    print_table(&rows);
    println!(
        "\nmedians of {rounds} launches each, alternating; {} s after the window is mapped; the `{}` profile",
        SETTLE.as_secs(),
        package::PROFILE
    );
    Ok(())
}

fn yes(met: bool) -> String {
    if met { "yes".into() } else { "**no**".into() }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Inside the virtual display: each launch's time to a mapped window and its tree's memory,
/// printed as `start.<kind> ms` and `pss.<kind> MiB` (medians).
pub fn measure(args: &[String]) -> Result<(), String> {
    let [bare, app, rounds] = args else {
        return Err("desktop-measure BARE APP ROUNDS".into());
    };
    let rounds: usize = rounds.parse().map_err(|_| "ROUNDS is a number")?;
    let work = package::target_dir().join("desktop-bench");
    let kinds: [(&str, &str, &str, &[&str]); 3] = [
        ("bare", bare, BARE_TITLE, &[]),
        ("demo", app, APP_TITLE, &[]),
        // A service that does not answer: the app's own cost, without the embedded one.
        (
            "remote",
            app,
            APP_TITLE,
            &["--service-url", "http://127.0.0.1:9"],
        ),
    ];
    let mut starts = vec![Vec::new(); kinds.len()];
    let mut pss = vec![Vec::new(); kinds.len()];
    for round in 0..rounds {
        for (i, (kind, program, title, args)) in kinds.iter().enumerate() {
            let home = work.join(format!("{kind}-{round}"));
            let _ = std::fs::remove_dir_all(&home);
            std::fs::create_dir_all(&home).map_err(|e| e.to_string())?;
            let (start, memory) = launch(program, args, title, &home)?;
            eprintln!(
                "    {kind} round {}: window after {:.0} ms, {memory:.0} MiB",
                round + 1,
                start.as_secs_f64() * 1000.0
            );
            starts[i].push(start.as_secs_f64() * 1000.0);
            pss[i].push(memory);
            let _ = std::fs::remove_dir_all(&home);
        }
    }
    for (i, (kind, ..)) in kinds.iter().enumerate() {
        println!("start.{kind} {}", median(starts[i].clone()));
        println!("pss.{kind} {}", median(pss[i].clone()));
    }
    Ok(())
}

/// Starts `program`, waits for its window `title` to be mapped, lets it settle, reads its
/// tree's memory, stops it.
fn launch(
    program: &str,
    args: &[&str],
    title: &str,
    home: &Path,
) -> Result<(Duration, f64), String> {
    let mut c = Command::new(program);
    c.args(args)
        .env_remove("ESPACE_PRO_SERVICE_URL")
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("NO_AT_BRIDGE", "1")
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .stdout(Stdio::null())
        .stderr(
            std::fs::File::create(home.join("stderr.txt"))
                .map_err(|e| format!("{}: {e}", home.display()))?,
        );
    let started = Instant::now();
    let mut child = c
        .spawn()
        .map_err(|e| format!("{program} could not start: {e}"))?;
    let result = (|| -> Result<(Duration, f64), String> {
        let mapped = wait_mapped(title, &mut child, started)?;
        std::thread::sleep(SETTLE);
        Ok((mapped, tree_pss_mib(child.id())))
    })();
    stop(&mut child);
    // What the program said, when it did not show its window (a panic's message, for one).
    result.map_err(|e: String| {
        let said = std::fs::read_to_string(home.join("stderr.txt")).unwrap_or_default();
        let lines: Vec<&str> = said.lines().collect();
        let tail = &lines[lines.len().saturating_sub(20)..];
        format!("{e}; its last words:\n{}", tail.join("\n"))
    })
}

fn wait_mapped(title: &str, child: &mut Child, started: Instant) -> Result<Duration, String> {
    let deadline = started + Duration::from_secs(60);
    loop {
        let out = Command::new("xwininfo")
            .args(["-name", title])
            .output()
            .map_err(|e| format!("xwininfo: {e}"))?;
        if String::from_utf8_lossy(&out.stdout).contains("Map State: IsViewable") {
            return Ok(started.elapsed());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "{title:?} ended before its window showed ({status})"
            ));
        }
        if Instant::now() > deadline {
            return Err(format!("no window {title:?} within 60 s"));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `pid` and every process below it.
fn tree(pid: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.filter_map(Result::ok) {
            let Ok(p) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
                continue;
            };
            // The command name is in parentheses and may hold spaces: fields follow the last ')'.
            let after = stat.rsplit_once(')').map(|(_, a)| a).unwrap_or_default();
            if let Some(ppid) = after.split_whitespace().nth(1).and_then(|f| f.parse().ok()) {
                parents.push((p, ppid));
            }
        }
    }
    let mut all = vec![pid];
    let mut i = 0;
    while i < all.len() {
        let parent = all[i];
        all.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    all
}

/// The proportional set size of the tree under `pid`, in MiB.
fn tree_pss_mib(pid: u32) -> f64 {
    let kib: u64 = tree(pid)
        .iter()
        .filter_map(|p| std::fs::read_to_string(format!("/proc/{p}/smaps_rollup")).ok())
        .filter_map(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("Pss:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .sum();
    kib as f64 / 1024.0
}

fn stop(child: &mut Child) {
    let pids = tree(child.id());
    for signal in ["-TERM", "-KILL"] {
        for p in pids.iter().rev() {
            let _ = Command::new("kill")
                .arg(signal)
                .arg(p.to_string())
                .stderr(Stdio::null())
                .status();
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if matches!(child.try_wait(), Ok(Some(_))) && pids.iter().skip(1).all(|p| !alive(*p)) {
            return;
        }
    }
    let _ = child.wait();
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_of_this_process_holds_its_children() {
        let mut child = Command::new("sleep").arg("5").spawn().unwrap();
        let pids = tree(std::process::id());
        assert!(pids.contains(&child.id()), "{pids:?}");
        assert!(tree_pss_mib(std::process::id()) > 0.0);
        stop(&mut child);
        assert!(!alive(child.id()) || matches!(child.try_wait(), Ok(Some(_))));
    }

    #[test]
    fn the_median_is_the_middle_value() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![5.0, 1.0, 9.0, 7.0, 3.0]), 5.0);
    }
}
