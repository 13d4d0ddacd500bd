return AutoTimm.Cli.CliApp.Run(args);
