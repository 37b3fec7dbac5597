using Edge.Bench.Api;
using Edge.Bench.Pods;
using Edge.Bench.Scheduler;
using Edge.Bench.Startup;
using Edge.Bench.Store;

// Edge.Bench startup PUBLISH_DIR [--runs N] [--idle-seconds S]
// Edge.Bench store [--quick] [--recovery-only]
// Edge.Bench api [--quick] [--server PATH]
// Edge.Bench scheduler [--quick]
// Edge.Bench pods --publish DIR [--pods N]
return args.FirstOrDefault() switch
{
    "startup" => await StartupBench.RunAsync(args[1..]),
    "store" => await StoreBench.RunAsync(args[1..]),
    "api" => await ApiBench.RunAsync(args[1..]),
    "scheduler" => await SchedulerBench.RunAsync(args[1..]),
    "pods" => await PodStartupBench.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Edge.Bench startup PUBLISH_DIR [--runs N] [--idle-seconds S] | store [--quick] | api [--quick] [--server PATH] | scheduler [--quick] | pods --publish DIR [--pods N]");
    return 2;
}
