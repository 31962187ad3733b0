using Docker.Aufs.Cli;

return CliProcess.Run(args);
