/// The standard catalog's contents. Each estimator and trained-model type adds itself here.
enum StandardEstimators {
    static let estimators: [any Estimator.Type] = [
        LinearRegression.self,
        Ridge.self,
        Lasso.self,
        ElasticNet.self,
        LogisticRegression.self,
        KNeighborsRegressor.self,
        KNeighborsClassifier.self,
        GaussianNB.self,
        DecisionTreeClassifier.self,
        DecisionTreeRegressor.self,
        RandomForestClassifier.self,
        RandomForestRegressor.self,
        GradientBoostingClassifier.self,
        GradientBoostingRegressor.self,
        MLPClassifier.self,
        MLPRegressor.self,
    ]

    static let models: [any PersistableModel.Type] = [
        LinearModel.self,
        LogisticModel.self,
        KNeighborsRegressorModel.self,
        KNeighborsClassifierModel.self,
        GaussianNBModel.self,
        TreeClassifierModel.self,
        TreeRegressorModel.self,
        BoostingClassifierModel.self,
        BoostingRegressorModel.self,
        MLPClassifierModel.self,
        MLPRegressorModel.self,
    ]
}
