//! Entry point: load `.env`, read configuration, then serve or run a CLI helper.

use std::process::ExitCode;

use calendar_agent::cli::{self, Cli, Command, UrlReport};
use calendar_agent::clock::unix_now;
use calendar_agent::{Config, server, telemetry};
use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // A missing .env is normal; a broken one is worth a line.
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("error: .env: {e}");
            return ExitCode::from(2);
        }
    }
    if let Some(Command::Secret) = cli.command {
        println!("{}", cli::fresh_secret());
        return ExitCode::SUCCESS;
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        None | Some(Command::Serve) => {
            // Held until exit: dropping it flushes the queued log lines.
            let _log = telemetry::init(config.server.log_format);
            match server::run(config).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::Secret) => ExitCode::SUCCESS,
        Some(Command::SignUrl { path, user, ttl }) => {
            let signed = cli::require_configured_secret(&config).and_then(|()| {
                let ttl = ttl.unwrap_or_else(|| cli::route_life(&config, &path));
                cli::sign_url(&config, &path, &user, ttl, unix_now())
            });
            report(signed)
        }
        Some(Command::Health { ready }) => report(cli::health(&config, ready).await),
        Some(Command::Anam { list }) => report(cli::anam_table(&config, list).await),
        Some(Command::RotateKey) => report(cli::rotate_key(&config).await),
        Some(Command::Audit { user, limit }) => {
            report(cli::audit(&config, user.as_deref(), limit).await)
        }
        Some(Command::VerifyUrl { url }) => {
            if let Err(e) = cli::require_configured_secret(&config) {
                return report(Err(e));
            }
            let result = cli::check_url(&config, &url, unix_now());
            println!("{result}");
            if matches!(result, UrlReport::Valid { .. }) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn report(result: Result<String, String>) -> ExitCode {
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
