using MtaSts.Tool;

// mta-sts <check|audit|generate> ...; see Cli/Usage.cs or `mta-sts --help`.
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupt.Cancel();
};
return await ToolApp.RunAsync(args, Console.Out, Console.Error, cancellationToken: interrupt.Token);
