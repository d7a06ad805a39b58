//! `finml assist`: customer-service messages.

use anyhow::Result;
use clap::Subcommand;

use crate::assist_embed::{self, EmbedArgs};

#[derive(Subcommand)]
pub enum AssistCommand {
    /// Embed each line of stdin with the pretrained sentence encoder all-MiniLM-L6-v2
    Embed(EmbedArgs),
}

pub fn run(command: AssistCommand) -> Result<()> {
    match command {
        AssistCommand::Embed(args) => assist_embed::run(args),
    }
}
