import Plot

/// The sign-in form a server shows browsers at `GET /login`: one password field for a
/// viewer token, posted to `POST /login` (no script).
public enum LoginPage {
    /// The form's HTML.
    ///
    /// - Parameter failed: Whether the last token given was refused (then it says so).
    public static func html(failed: Bool) -> String {
        HTML(
            .lang(.english),
            .head(
                .encoding(.utf8),
                .title("Sign in — mlpipe reports"),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .meta(.name("color-scheme"), .content("light dark"))
            ),
            .body(
                .main(
                    .h1("mlpipe reports"),
                    .if(failed, .p(.id("refused"), .attribute(named: "role", value: "alert"), "That token was refused: it is unknown, expired, revoked, or not a viewer token.")),
                    .form(
                        .action("/login"), .method(.post),
                        .label(.for("token"), "Viewer token"),
                        .input(.id("token"), .name("token"), .type(.password), .required(true), .autocomplete(false)),
                        .button(.type(.submit), .text("Sign in"))
                    ),
                    .p("Create one with ", .code("mlpipe tokens create --viewer"), ". It is kept in a cookie of this site only.")
                )
            )
        ).render()
    }
}
