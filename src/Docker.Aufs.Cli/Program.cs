using Docker.Aufs.Cli;

return CliApp.Run(args, CliEnvironment.System());
