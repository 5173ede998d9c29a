using Hermes.Cli;

return CliApplication.Build().Parse(args).Invoke();
