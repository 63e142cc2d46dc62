using Scm.Samples.Web;
using Scm.Samples.Web.Security;

// The SCM web dashboard: the SDK embedded in a certificate-management web app.
//   dotnet run --project samples/Scm.Samples.Web -- --simulator      (an in-process SCM simulator, a one-time login)
//   dotnet run --project samples/Scm.Samples.Web -- hash-password    (a Dashboard:Administrator:PasswordHash value)
// Configuration: appsettings.json, user secrets, environment variables (Dashboard__Administrator__PasswordHash=...),
// the command line. See README.md.
if (args is ["hash-password", ..])
{
    Console.Error.Write("Password: ");
    var password = ReadSecretLine();
    if (string.IsNullOrEmpty(password))
    {
        Console.Error.WriteLine("No password given.");
        return 2;
    }

    Console.WriteLine(AdministratorSignIn.HashPassword(password));
    return 0;
}

var app = DashboardApp.Build(args);
await app.StartAsync();
DashboardApp.PrintOneTimeLogin(app, Console.Out);
await app.WaitForShutdownAsync();
return 0;

static string? ReadSecretLine()
{
    if (Console.IsInputRedirected)
    {
        return Console.ReadLine();
    }

    var text = new System.Text.StringBuilder();
    while (true)
    {
        var key = Console.ReadKey(intercept: true);
        if (key.Key == ConsoleKey.Enter)
        {
            Console.Error.WriteLine();
            return text.ToString();
        }

        if (key.Key == ConsoleKey.Backspace)
        {
            if (text.Length > 0)
            {
                text.Length--;
            }
        }
        else if (!char.IsControl(key.KeyChar))
        {
            text.Append(key.KeyChar);
        }
    }
}
