using MtaSts.Check;

// dotnet run --project samples/MtaSts.Check -- <domain> [--mx <host>]... [--json] [--name-server <ip[:port]>]
return await CheckCommand.RunAsync(args, Console.Out, Console.Error);
