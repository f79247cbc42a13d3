//! Replays every saved fuzz reproducer (`regressions/<target>/*`) through the
//! same check the fuzz target runs, so a fixed crash stays fixed.

use std::path::Path;

#[test]
fn saved_reproducers_pass_their_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut replayed = 0;
    for target in grok_fuzz::TARGETS {
        let dir = root.join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files.iter().filter(|f| f.is_file()) {
            if file
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            let data = std::fs::read(file).unwrap();
            eprintln!("replaying {target}: {}", file.display());
            grok_fuzz::run(target, &data);
            replayed += 1;
        }
    }
    eprintln!("{replayed} reproducers replayed");
}

/// The checks pass on ordinary inputs (so a failing reproducer means a bug,
/// not a broken check).
#[test]
fn checks_pass_on_ordinary_inputs() {
    let apache = br#"203.0.113.9 - - [15/Nov/2023:03:34:01 +0100] "GET /index.html HTTP/1.1" 200 512 "-" "curl/8.0""#;
    let syslog = b"Nov 15 03:34:01 web01 sshd[4242]: Invalid user admin from 203.0.113.9 port 4242";
    for target in grok_fuzz::TARGETS {
        for data in [
            &apache[..],
            &syslog[..],
            b"",
            b"%{IP:ip} %{WORD}",
            b"A %{B}\nB [a-z]+ %{A}\nC %{INT:x:int}\n",
        ] {
            grok_fuzz::run(target, data);
        }
    }
}

/// The differential target reaches both of grok-core's paths: look-around
/// checks on the linear-time path (IPV4 next to longer numbers), and the
/// exact engine (SYSLOGPAMSESSION, the one legacy definition not wholly
/// linear: a look-ahead holding a capture).
#[test]
fn differential_covers_both_engines() {
    let lib = grok_core::PatternLibrary::legacy();
    let cases = [
        (
            "%{IPV4:ip}",
            "12345.6.7.8 then 1.2.3.4",
            grok_core::Decision::Linear,
        ),
        (
            "%{SYSLOGPAMSESSION}",
            "Nov 15 03:34:01 web01 sshd[77]: pam_unix(sshd:session): session opened for user root by (uid=0)",
            grok_core::Decision::Exact,
        ),
    ];
    for (expr, line, decision) in cases {
        let p = lib.compile(expr).unwrap();
        let caps = p.captures(line).unwrap().expect("matches");
        assert_eq!(caps.decision(), decision, "{expr} on {line:?}");
        grok_fuzz::run("differential", line.as_bytes());
    }
}
