//! `schema-sync fleet audit|baseline|apply`: a thin shell over `schema_sync_core::fleet`.

use super::args::{FleetArgs, FleetCommand, ReportFormat, SourceArgs};
use super::errors::explain;
use super::options::{apply_options, change_with_config, load, load_options};
use super::output::{outln, outp, Output};
use super::workflows::confirm;
use super::Status;
use anyhow::Result;
use schema_sync_core::fleet::{self, Baseline, FleetOptions, FleetReport, Ledger, TargetReport, TargetSpec};
use schema_sync_core::Schema;
use std::time::Duration;

/// Runs one `fleet` command.
pub(super) async fn run(command: FleetCommand, models: Option<crate::Models>, out: &Output) -> Result<Status> {
    match command {
        FleetCommand::Audit { fleet, baseline, format } => {
            let (specs, desired, opts) = prepare(&fleet, models).await?;
            let baseline = baseline.map(|p| Baseline::read(&p)).transpose()?;
            let json = format == ReportFormat::Json;
            let bar = progress(&specs, "auditing", out, json);
            let report = fleet::audit(&specs, &desired, &opts, baseline.as_ref(), &mut ticker(&bar)).await;
            bar.finish_and_clear();
            let report = report?;
            print(&report, json, out)
        }
        FleetCommand::Baseline { fleet, out: path } => {
            let (specs, desired, opts) = prepare(&fleet, models).await?;
            let bar = progress(&specs, "auditing", out, false);
            let report = fleet::audit(&specs, &desired, &opts, None, &mut ticker(&bar)).await;
            bar.finish_and_clear();
            let report = report?;
            let baseline = Baseline::from_report(&report);
            baseline.write(&path)?;
            out.say(format!(
                "wrote {}: accepted drift of {} of {} target(s) ({} kind(s))",
                path.display(),
                baseline.targets(),
                report.summary.targets,
                baseline.accepted.len()
            ));
            let status = print(&report, false, &quiet_unless_errors(&report, out))?;
            // Drift is what a baseline is for; only unreadable targets fail it.
            Ok(if status == Status::Errors { Status::Errors } else { Status::Ok })
        }
        FleetCommand::Apply { fleet, canary, budget, online, allow_destructive, ledger, format, yes } => {
            let (specs, desired, opts) = prepare(&fleet, models).await?;
            let change = change_with_config(fleet.change.clone());
            let mut base = apply_options(&change, &Default::default(), allow_destructive, false)?;
            super::options::online(&online, &mut base.plan);
            let apply_opts = fleet::ApplyOptions {
                allow_destructive,
                canary,
                plan: base.plan,
                budget: super::options::budget(&budget)?,
                description: None,
            };
            let checksum = schema_sync_core::snapshot::checksum(&desired);
            let path = match ledger {
                Some(p) => p,
                None => Ledger::default_path(&std::env::current_dir()?, &checksum),
            };
            let mut ledger = Ledger::open(&path, &checksum)?;
            let json = format == ReportFormat::Json;
            if !confirm(out, yes, &format!("Migrate {} target spec(s) to the desired schema?", specs.len()))? {
                anyhow::bail!("cancelled; nothing was changed");
            }
            if ledger.done() > 0 && !json {
                out.say(format!("resuming: {} target(s) already done per {}", ledger.done(), path.display()));
            }
            let bar = progress(&specs, "migrating", out, json);
            let report = fleet::apply(&specs, &desired, &opts, &apply_opts, Some(&mut ledger), &mut ticker(&bar)).await;
            bar.finish_and_clear();
            let report = report?;
            print(&report, json, out)
        }
    }
}

/// The targets, the desired schema and the options every fleet command starts from.
async fn prepare(f: &FleetArgs, models: Option<crate::Models>) -> Result<(Vec<TargetSpec>, Schema, FleetOptions)> {
    let specs = fleet::parse_targets(&f.targets, &f.schemas)?;
    let source = SourceArgs {
        schemas: vec![f.template_schema.clone()],
        dev_url: f.dev_url.clone(),
        sql_dir: None,
        platform_sql: None,
        sqlite_sql_dir: None,
    };
    let lo = load_options(&source, models).await?;
    let (_, desired) = load(&f.to, &lo).await?;
    let change = change_with_config(f.change.clone());
    let diff = super::options::diff_options(&change, &lo)?;
    let opts = FleetOptions {
        jobs: f.jobs.unwrap_or(0),
        diff,
        busy_timeout: Duration::from_millis(f.busy_timeout),
        template_schema: f.template_schema.clone(),
    };
    Ok((specs, desired, opts))
}

/// A progress bar on a terminal, one tick per finished target; it grows as tenant schemas
/// are found.
fn progress(specs: &[TargetSpec], what: &str, out: &Output, json: bool) -> indicatif::ProgressBar {
    if json {
        indicatif::ProgressBar::hidden()
    } else {
        out.progress(specs.len() as u64, what)
    }
}

/// The per-target callback that ticks `bar`.
fn ticker(bar: &indicatif::ProgressBar) -> impl FnMut(&TargetReport) + Send {
    let bar = bar.clone();
    move |_| {
        if bar.position() >= bar.length().unwrap_or(0) {
            bar.inc_length(1);
        }
        bar.inc(1);
    }
}

/// Prints the report (errors worded with the flags that fix them) and returns the status.
fn print(report: &FleetReport, json: bool, out: &Output) -> Result<Status> {
    let targets = report
        .targets
        .iter()
        .cloned()
        .map(|mut t| {
            if let Some(cause) = &t.cause {
                t.error = Some(explain(cause));
            }
            t
        })
        .collect();
    let report = FleetReport::new(report.command, report.desired.clone(), targets);
    if json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else if !out.quiet {
        outp!("{}", out.paint_diff(&report.text()));
    } else if report.status != fleet::Status::Clean {
        eprint!("{}", report.text());
    }
    Ok(match report.status {
        fleet::Status::Clean => Status::Ok,
        fleet::Status::Drift => Status::Drift,
        fleet::Status::Errors => Status::Errors,
    })
}

/// `fleet baseline` prints the report only when something could not be read.
fn quiet_unless_errors(report: &FleetReport, out: &Output) -> Output {
    let mut o = out.clone();
    o.quiet |= report.status != fleet::Status::Errors;
    o
}
